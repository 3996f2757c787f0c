/**
 * Membership filters on a large group send bounded documents: joins to group_members, never the
 * member ids. Over the mingo double (not MongoDB), 300 members are seeded as the store stores
 * them, and every document the store sends while listing them is read off the double's recorder.
 * A list of ids grows with the group and passes MongoDB's 16 MB limit past ~340,000 members.
 */
import mongoose from "mongoose";
import type { Filter } from "../../src/domain/filter";
import { USERS } from "../../src/scim/resource-types";
import { groupDoc, userDoc } from "../../src/store/mongo/docs";
import { checked, defineModels } from "../../src/store/mongo/models";
import { aGroup, anOrg, aUser } from "../helpers/fixtures";
import type { RecordedOp } from "./mingo-db";
import { mingoStore } from "./mingo-store";

const models = defineModels(mongoose.createConnection());

/** The longest array anywhere in a document. */
function longestArray(v: unknown): number {
  if (Array.isArray(v)) return Math.max(v.length, ...v.map(longestArray));
  if (v && typeof v === "object") return Math.max(0, ...Object.values(v).map(longestArray));
  return 0;
}

it("filters 300 members of a group with documents whose size does not grow with the group", async () => {
  const s = mingoStore();
  const org = anOrg();
  const group = aGroup(org.id, { displayName: "Everyone", builtin: true });
  s.db.docs("groups").push(await checked(models.groups, groupDoc(group, 1)));
  const n = 300;
  for (let i = 1; i <= n; i++) {
    const u = aUser(org.id, { userName: `u${i}@acme.test` });
    s.db.docs("users").push(await checked(models.users, userDoc(u, i)));
    s.db.docs("group_members").push({ _id: `${group.id}:${u.id}`, orgId: org.id, groupId: group.id, userId: u.id, userSeq: i });
  }
  const ops: RecordedOp[] = [];
  s.db.onOp = (op) => void ops.push(op);
  const filter: Filter = { kind: "cmp", attr: USERS.resolver.resolve("groups.value"), op: "eq", value: group.id };
  const page = await s.users.list(org.id, { filter, startIndex: 251, count: 100 });
  expect(page.total).toBe(n);
  expect(page.items.map((u) => u.userName)).toEqual(Array.from({ length: 50 }, (_, i) => `u${251 + i}@acme.test`));
  const byCursor = await s.users.list(org.id, { filter, startIndex: 1, count: 100, cursor: "" });
  expect(byCursor.items).toHaveLength(100);
  expect(ops.length).toBeGreaterThan(0);
  for (const op of ops) {
    expect(longestArray([op.filter, op.pipeline, op.update])).toBeLessThan(20);
    expect(JSON.stringify(op).length).toBeLessThan(4_096);
  }
}, 120_000);
