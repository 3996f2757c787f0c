/**
 * The store contract: NUL and other control characters, in filter values and in stored values,
 * through every comparison operator on every kind of string attribute (case-insensitive with a
 * shadow/fold, case-insensitive without, caseExact, multi-valued, free-form in `data`), and in the
 * member search of /v1. The store must answer what `matches()` answers and never fail: MongoDB
 * refuses a regular expression holding NUL, and SQLite's LIKE and NOCASE stop at NUL.
 */
import type { CompareOp, Filter } from "../../../src/domain/filter";
import { matches } from "../../../src/domain/filter-eval";
import type { Store } from "../../../src/domain/ports/store";
import { USERS } from "../../../src/scim/resource-types";
import { anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const OPS: CompareOp[] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];
/** userName (shadow/fold), displayName (no shadow), externalId (caseExact), emails.value (multi-valued), title (in data). */
const ATTRS = ["userName", "displayName", "externalId", "emails.value", "title", "emails.type"];
const VALUES = ["\u0000", "a\u0000", "A\u0000B", "a\u0000c", "\u0000b@x.test", "x\u0000y", "X\u0000Z", "\t", "e\u0001f", "\u001f", "\u007f", "b\u0000", "a"];

interface Spec { userName: string; displayName: string | null; externalId: string | null; title?: string; emailType?: string }

const SPECS: Spec[] = [
  { userName: "a\u0000b@x.test", displayName: "Tab\tName", externalId: "e\u0001f", title: "x\u0000y", emailType: "w\u0000rk" },
  { userName: "a@x.test", displayName: "Tab", externalId: "e", title: "x", emailType: "work" },
  { userName: "A\u0000C@x.test", displayName: "a\u0000B", externalId: "E\u0001F", title: "X\u0000Z" },
  { userName: "a\u0000@x.test", displayName: "\u007f", externalId: "\u001f", title: "\u0000" },
];

export function controlChars(it_: ContractIt, store: () => Store): void {
  it_("answers every operator with NUL and control characters as matches() does, on every kind of string attribute", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const resources: Record<string, unknown>[] = [];
    for (const s of SPECS) {
      const emails = [{ value: s.userName, type: s.emailType ?? "work", primary: true }];
      const data: Record<string, unknown> = { userName: s.userName, emails, active: true };
      if (s.displayName !== null) data.displayName = s.displayName;
      if (s.title !== undefined) data.title = s.title;
      const u = aUser(org.id, { userName: s.userName, displayName: s.displayName, externalId: s.externalId, emails, data });
      await store().users.insert(u);
      resources.push({ ...data, id: u.id, externalId: s.externalId ?? undefined });
    }
    const failures: string[] = [];
    for (const attr of ATTRS) {
      const ref = USERS.resolver.resolve(attr);
      for (const op of OPS) {
        for (const value of VALUES) {
          const filter: Filter = { kind: "cmp", attr: ref, op, value };
          const want = resources.filter((r) => matches(r, filter)).map((r) => r.id as string).sort();
          let got: string[] | string;
          try {
            got = (await store().users.list(org.id, { filter, startIndex: 1, count: 50 })).items.map((u) => u.id).sort();
          } catch (e) {
            got = `threw ${String((e as Error).message)}`;
          }
          if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${attr} ${op} ${JSON.stringify(value)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it_("searches members by a prefix holding NUL or control characters, literally", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const ids: string[] = [];
    for (const s of SPECS) {
      const u = aUser(org.id, { userName: s.userName });
      ids.push(u.id);
      await store().users.insert(u);
    }
    const search = async (text: string) => (await store().users.listByStatus(org.id, { search: text, offset: 0, limit: 10 })).items.map((u) => u.id);
    expect(await search("a\u0000")).toEqual([ids[0], ids[2], ids[3]]);
    expect(await search("A\u0000B")).toEqual([ids[0]]);
    expect(await search("\u0000")).toEqual([]);
    expect(await search("a\u0000@")).toEqual([ids[3]]);
    expect(await search("\t")).toEqual([]);
  });
}
