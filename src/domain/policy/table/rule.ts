/**
 * What a row of the policy table (../table.ts) is, and the words its rows are written with: the
 * kinds of target, the doors (SCIM, /Bulk, /v1, CLI) and the invariants several actions share.
 */
import { GROUP_MEMBER } from "../../resource-names";
import type { Door, Subject, TargetKind } from "../kinds";


export interface StateRule {
  /** Whom the rule concerns: the Owner (the actor themself included), or the actor themself. */
  on: "owner" | "self";
  /** What the domain refuses whoever acts (an invariant, not a right). */
  rule: string;
  /** The answer, per API. */
  status: Partial<Record<Door["api"], number>>;
}

export interface ActionRule {
  id: string;
  /** A verb phrase: "deactivate a user". */
  what: string;
  /** The kinds of target this action is aimed at. */
  targets: readonly TargetKind[];
  /** Per subject, the kinds of target it may act on; absent: none. */
  allow: Partial<Record<Subject, readonly TargetKind[]>>;
  doors: readonly Door[];
  /** Invariants the use case enforces after the policy allowed: the answer is then theirs. */
  stateRules?: readonly StateRule[];
  /** Said in the docs and appended to the refusal. */
  note?: string;
}

export const USERS: readonly TargetKind[] = ["self", "standard", "administrator", "owner"];
export const NOT_OWNER: readonly TargetKind[] = ["self", "standard", "administrator"];
export const ACCOUNTS: readonly TargetKind[] = ["administered", "member", "other"];
export const ORG: readonly TargetKind[] = ["organization"];
export const GROUP: readonly TargetKind[] = ["group"];

export const scim = (method: Door["method"], path: string, when?: string): Door => ({ api: "scim", method, path, ...(when ? { when } : {}) });
export const bulk = (method: Door["method"], path: string, when?: string): Door => ({ api: "bulk", method, path, ...(when ? { when } : {}) });
export const v1 = (method: Door["method"], path: string, when?: string): Door => ({ api: "v1", method, path, ...(when ? { when } : {}) });
export const cli = (command: string): Door => ({ api: "cli", method: "CLI", path: command });

/** SCIM PUT and PATCH of a user, alone and in /Bulk. */
export const userWrite = (when: string): Door[] => [scim("PUT", "/Users/:id", when), scim("PATCH", "/Users/:id", when), bulk("PUT", "/Users/:id", when), bulk("PATCH", "/Users/:id", when)];
/** SCIM PUT and PATCH of a group, alone and in /Bulk. */
export const groupChange = (when: string): Door[] => [scim("PUT", "/Groups/:id", when), scim("PATCH", "/Groups/:id", when), bulk("PUT", "/Groups/:id", when), bulk("PATCH", "/Groups/:id", when)];
/** SCIM POST, PUT and PATCH of a group, alone and in /Bulk. */
export const groupWrite = (when: string): Door[] => [scim("POST", "/Groups", when), bulk("POST", "/Groups", when), ...groupChange(when)];
/** A membership made (the GroupMember resource), alone and in /Bulk: the same checks as adding the member by PATCH. */
export const membershipMade = (when: string): Door[] => [scim("POST", GROUP_MEMBER.endpoint, when), bulk("POST", GROUP_MEMBER.endpoint, when)];
/** A membership ended (DELETE of a GroupMember), alone and in /Bulk: the same checks as removing the member by PATCH. */
export const membershipEnded = (when: string): Door[] => [scim("DELETE", `${GROUP_MEMBER.endpoint}/:id`, when), bulk("DELETE", `${GROUP_MEMBER.endpoint}/:id`, when)];

export const OWNER_LIFECYCLE: StateRule = {
  on: "owner",
  rule: "The Owner is never deactivated, removed or deleted: transfer ownership first (POST /v1/Users/{sid} org_role owner)",
  status: { scim: 400, bulk: 400, v1: 409 },
};
export const SELF_REMOVAL: StateRule = { on: "self", rule: "Nobody removes or deletes themselves: another Owner or Administrator does", status: { scim: 400, bulk: 400, v1: 400 } };
