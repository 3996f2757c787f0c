/**
 * docs/capacity.md's MongoDB storage figures, computed from what the MongoDB store writes (the real
 * repositories and use cases over the mingo double of the driver, test/store/mingo-store.ts: there
 * is no mongod here, so the figures are computed, not measured): the BSON size of each document a
 * create writes (the user, its memberships, its audit event) and of each index entry over it, from
 * the index list the migrations make (src/store/mongo/indexes.ts). The document states the totals;
 * this test fails when they drift by more than 10% from what the store writes now.
 * `CAPACITY_PRINT=1` prints the table to paste.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import mongoose from "mongoose";
import { userBody } from "../../bench/fixtures";
import type { Clock } from "../../src/domain/clock";
import { newId } from "../../src/domain/ids";
import { createOrganization } from "../../src/domain/orgs";
import { issueToken } from "../../src/domain/tokens";
import type { Actor } from "../../src/domain/actor";
import { createUser, modifyUser } from "../../src/domain/users";
import { coerceBody } from "../../src/scim/coerce";
import { USERS } from "../../src/scim/resource-types";
import { toUserInput } from "../../src/scim/user-resource";
import { INDEXES } from "../../src/store/mongo/indexes";
import { mingoStore } from "../store/mingo-store";

const N = 200;
const { calculateObjectSize } = mongoose.mongo.BSON;
type Doc = Record<string, unknown>;

/** The values a document gives an index field (a dotted path through arrays gives one per element). */
function valuesAt(doc: unknown, path: string[]): unknown[] {
  if (path.length === 0) return [doc];
  if (Array.isArray(doc)) return doc.flatMap((d) => valuesAt(d, path));
  if (doc === null || typeof doc !== "object") return [null];
  return valuesAt((doc as Doc)[path[0] as string], path.slice(1));
}

/**
 * Bytes of the entries `doc` puts in an index on `key`: per entry, each field's value as BSON
 * (its size inside a one-field document, less that document's 7 bytes of framing), plus an 8-byte
 * record id; a multikey field makes one entry per element. Before WiredTiger's prefix compression.
 */
function indexBytes(doc: Doc, key: Record<string, number>, partial?: Record<string, unknown>): number {
  // A partial index's condition: a literal (`{ orgRole: "owner" }`) holds the documents with that value; `{ $type: "string" }` any string.
  const holds = (v: unknown, condition: unknown) => (condition !== null && typeof condition === "object" ? typeof v === "string" : v === condition);
  if (partial && Object.entries(partial).some(([f, condition]) => valuesAt(doc, f.split(".")).every((v) => !holds(v, condition)))) return 0;
  const perField = Object.keys(key).map((f) => valuesAt(doc, f.split(".")).map((v) => calculateObjectSize({ "": v }) - 7 + 1));
  const entries = perField.reduce((n, vs) => n * Math.max(1, vs.length), 1);
  const bytesPerEntry = perField.reduce((s, vs) => s + vs.reduce((a, b) => a + b, 0) / Math.max(1, vs.length), 0) + 8;
  return entries * bytesPerEntry;
}

interface Usage { docs: number; docBytes: number; indexBytes: number }

function usage(db: { docs(name: string): Doc[] }, names: string[]): Record<string, Usage> {
  const out: Record<string, Usage> = {};
  for (const name of names) {
    const docs = db.docs(name);
    out[name] = {
      docs: docs.length,
      docBytes: docs.reduce((s, d) => s + calculateObjectSize(d), 0),
      indexBytes: docs.reduce((s, d) => s + 8 + 12 /* _id index: the id string and a record id */ +
        (INDEXES[name] ?? []).reduce((t, spec) => t + indexBytes(d, spec.key, spec.partialFilterExpression), 0), 0),
    };
  }
  return out;
}

const minus = (a: Record<string, Usage>, b: Record<string, Usage>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, {
  docs: v.docs - (b[k]?.docs ?? 0), docBytes: v.docBytes - (b[k]?.docBytes ?? 0), indexBytes: v.indexBytes - (b[k]?.indexBytes ?? 0),
}]));

/** The figure docs/capacity.md states after `marker: `. */
function stated(marker: string): number {
  const doc = readFileSync(join(__dirname, "..", "..", "docs", "capacity.md"), "utf8");
  const m = new RegExp(`${marker}: ([\\d,]+)`).exec(doc);
  if (!m) throw new Error(`docs/capacity.md does not state "${marker}: <bytes>"`);
  return Number((m[1] as string).replace(/,/g, ""));
}

describe("docs/capacity.md's MongoDB storage figures", () => {
  let perCreate: Record<string, Usage>;
  let perUpdate: Record<string, Usage>;

  beforeAll(async () => {
    const store = mingoStore();
    let t = Date.parse("2026-12-06T00:00:00Z");
    const clock: Clock = { now: () => new Date((t += 1000)) };
    const org = await createOrganization(store, clock, { name: "Capacity", settings: { domainEnforcement: false } });
    const issued = await issueToken(store, clock, { orgId: org.id, name: "idp", scopes: ["scim", "admin"] });
    const actor: Actor = { org, tokenId: issued.token.id, scopes: ["scim", "admin"], userId: null };
    const deps = { store, clock };
    const now = clock.now().toISOString();
    const group = { id: newId("GP"), orgId: org.id, displayName: "Everyone", externalId: "grp-ext-0", builtin: false, binding: null, data: {}, version: 1, created: now, lastModified: now };
    await store.transaction((tx) => tx.groups.insert(group));
    const names = ["users", "group_members", "audit_events", "outbox", "groups"];
    const start = usage(store.db, names);
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const input = toUserInput(coerceBody(userBody(`u${String(i).padStart(7, "0")}`, i), USERS.schema, "compatible"));
      const { user } = await createUser(deps, actor, input);
      await store.transaction((tx) => tx.groups.addMembers(org.id, group.id, [user.id]));
      ids.push(user.id);
    }
    const created = usage(store.db, names);
    for (const id of ids) await modifyUser(deps, actor, id, undefined, (cur) => ({ data: { ...cur.data, active: false } }));
    const updated = usage(store.db, names);
    perCreate = minus(created, start);
    perUpdate = minus(updated, created);
    if (process.env.CAPACITY_PRINT === "1") {
      const rows = (u: Record<string, Usage>) => Object.entries(u).filter(([, v]) => v.docs || v.docBytes || v.indexBytes)
        .map(([k, v]) => `| ${k} | ${(v.docs / N).toFixed(2)} | ${Math.round(v.docBytes / N)} | ${Math.round(v.indexBytes / N)} |`).join("\n");
      console.log(`per create:\n${rows(perCreate)}\nper update:\n${rows(perUpdate)}`);
    }
  }, 120_000);

  const total = (u: Record<string, Usage>) => Object.values(u).reduce((s, v) => s + v.docBytes + v.indexBytes, 0) / N;

  it("states the bytes a created user takes (its document, two memberships, its audit event, their index entries) within 10%", () => {
    const computed = total(perCreate);
    expect(computed).toBeGreaterThan(1000); // a user of ~1.2 KB of SCIM cannot take less
    expect(Math.abs(stated("mongo-bytes-per-created-user") - computed) / computed).toBeLessThan(0.1);
  });

  it("states the bytes an update adds (its audit event; the user's document is rewritten in place) within 10%", () => {
    const computed = total(perUpdate);
    expect(perUpdate.audit_events?.docs).toBe(N);
    expect(Math.abs(stated("mongo-bytes-per-update") - computed) / computed).toBeLessThan(0.1);
  });
});
