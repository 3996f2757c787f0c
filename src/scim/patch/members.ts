/**
 * Group membership changes as row operations. A group's member list can be huge, so the store
 * applies membership as inserts and deletes (GroupRepo.addMembers/removeMembers/removeAllMembers)
 * instead of rewriting the list (which loses concurrent adds: docs/security.md#case-19).
 *
 * Policy, every form an IdP sends:
 * - `add members [{value}]` (also path-less `add {members:[...]}`, Entra `$ref: null`, Microsoft's
 *   bare string) → add those ids; ids already members are kept once (the store ignores them).
 * - `remove members[value eq "x"]`, also `value eq "x" or value eq "y"` → remove those ids.
 *   Any other filter on members → invalidPath: only value filters are supported.
 * - `remove members` with a value array (Entra default dialect) → remove only those ids.
 * - `remove members` without a value → remove all.
 * - `replace members [...]` (also path-less) → the membership becomes exactly that list, as RFC 7644
 *   §3.5.2.3 says. Entra has been reported sending partial lists with replace; we follow the RFC,
 *   because treating replace as add could never remove anyone. An empty list removes all.
 * - Okta's `remove members[value eq "x"]` + `add members [...]` in one request: the order is kept and
 *   the store applies memberOps in order.
 */
import { Errors } from "../../domain/errors";
import type { Filter } from "../../domain/filter";
import type { PatchOperation } from "./operation";
import { isObject } from "./values";

export type MemberOp =
  | { kind: "add"; ids: string[] }
  | { kind: "remove"; ids: string[] }
  | { kind: "removeAll" }
  | { kind: "replace"; ids: string[] };

const isMembers = (op: PatchOperation): boolean =>
  op.op !== "checkId" && op.path.kind === "attr" && op.path.schema === undefined && op.path.attr === "members";

/** Splits parsed ops into membership row operations (in request order) and the others. */
export function splitMemberOps(ops: PatchOperation[]): { memberOps: MemberOp[]; otherOps: PatchOperation[] } {
  const memberOps: MemberOp[] = [];
  const otherOps: PatchOperation[] = [];
  for (const op of ops) {
    if (!isMembers(op)) otherOps.push(op);
    else {
      const m = toMemberOp(op);
      if (m !== undefined) memberOps.push(m);
    }
  }
  return { memberOps, otherOps };
}

function toMemberOp(op: PatchOperation): MemberOp | undefined {
  if (op.op === "checkId" || op.path.kind !== "attr") return undefined;
  const path = op.path;
  if (path.sub !== undefined) throw Errors.invalidPath(path.text, "change members as a whole: add or remove members by value.");
  if (op.op === "remove") {
    if (path.filter !== undefined) return { kind: "remove", ids: idsOfFilter(path.filter.where, path.text) };
    if (op.values !== undefined) return nonEmpty("remove", idsOf(op.values));
    return { kind: "removeAll" };
  }
  if (path.filter !== undefined) {
    throw Errors.invalidPath(path.text, `${op.op} takes path 'members' with a list of {value}; filters are for remove.`);
  }
  const ids = idsOf(op.value as unknown[]);
  if (op.op === "replace") return ids.length === 0 ? { kind: "removeAll" } : { kind: "replace", ids };
  return nonEmpty("add", ids);
}

const nonEmpty = (kind: "add" | "remove", ids: string[]): MemberOp | undefined => (ids.length === 0 ? undefined : { kind, ids });

function idsOf(values: unknown[]): string[] {
  const ids = new Set<string>();
  for (const v of values) {
    const id = isObject(v) ? v["value"] : undefined;
    if (typeof id !== "string" || id === "") throw Errors.invalidValue("Each member needs a 'value' with the member's SCIM id.");
    ids.add(id);
  }
  return [...ids];
}

/** `value eq "x"`, or several joined by `or`; anything else is refused. */
function idsOfFilter(f: Filter, text: string): string[] {
  const ids = new Set<string>();
  const stack: Filter[] = [f];
  while (stack.length > 0) {
    const g = stack.pop()!;
    if (g.kind === "or") stack.push(...g.items);
    else if (g.kind === "cmp" && g.op === "eq" && g.attr.sub === "value" && typeof g.value === "string") ids.add(g.value);
    else throw Errors.invalidPath(text, 'only value filters are supported on members: members[value eq "id"], optionally joined by or.');
  }
  return [...ids].reverse();
}
