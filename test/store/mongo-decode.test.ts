/**
 * Reading MongoDB documents back into records (src/store/mongo/decode.ts): every document the
 * store writes (./docs.ts, through the mongoose schemas) reads back as the record it came from; a
 * document that is not what the store writes fails with MalformedDocument naming the collection,
 * the document and the field, never as a record whose types lie; what older versions left absent
 * still reads as it did. Then the same through the store and over HTTP: a hand-edited document
 * answers 500 without detail and the log says which document and field.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Writable } from "node:stream";
import mongoose from "mongoose";
import pino from "pino";
import { loadConfig } from "../../src/config/config";
import { systemClock } from "../../src/domain/clock";
import { createOrganization } from "../../src/domain/orgs";
import { issueToken } from "../../src/domain/tokens";
import type { ApiToken, AuditEvent, Domain, Invitation, OutboxMessage } from "../../src/domain/types";
import { createApp } from "../../src/http/app";
import {
  MalformedDocument, toAccount, toAudit, toDomain, toGroup, toInvitation, toMessage, toOrg, toToken, toUser, type Doc,
} from "../../src/store/mongo/decode";
import { auditDoc, domainDoc, groupDoc, invitationDoc, orgDoc, tokenDoc, userDoc } from "../../src/store/mongo/docs";
import { checked, defineModels, SCHEMAS, type CollectionName } from "../../src/store/mongo/models";
import { anOrg, aGroup, aUser } from "../helpers/fixtures";
import { mingoStore } from "./mingo-store";

const models = defineModels(mongoose.createConnection());
const NOW = "2026-01-01T00:00:00.000Z";
const org = anOrg();
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const token: ApiToken = {
  id: "TK1", orgId: org.id, name: "ci", scopes: ["scim"], secretHash: "h", userId: null, created: NOW, revoked: null,
  createdBy: "TK0", creatorUserId: null, ceiling: "administrator", kind: "client", expires: NOW, audience: "https://x.test",
};
const domain: Domain = { id: "DM1", orgId: org.id, name: "Acme.test", state: "revalidating", challenge: "c", created: NOW, verifiedAt: NOW, revalidatingSince: NOW };
const invitation: Invitation = {
  id: "IV1", orgId: org.id, userId: "US1", email: "a@acme.test", tokenHash: "t", expires: NOW, created: NOW, acceptedAt: null, revokedAt: null,
  kind: "account", orgRole: null, accountId: "AC1", accountRoles: ["developer", "support"], createdMember: true, newLogin: false, priorStatus: "independent", invitedBy: "TK1",
};
const audit: AuditEvent = {
  id: "AE1", orgId: org.id, time: NOW, actor: "TK1", action: "user.update", targetType: "user", targetId: "US1", outcome: "success",
  before: { [ENT]: { "a.b": 1 } }, after: null, reason: "why", imported: { at: NOW, from: "f.json" },
};
const message: OutboxMessage = {
  id: "OB1", orgId: null, kind: "invitation", ref: "IV1", to: "a@acme.test", subject: "s", text: null, status: "failed", created: NOW,
  sentAt: null, attempts: 3, lastError: "550", nextAttemptAt: NOW,
};
const account = { id: "AC1", orgId: org.id, name: "Main", ownerId: "US1", status: "closed" as const, created: NOW, lastModified: NOW };

interface Kind {
  collection: CollectionName;
  record: object;
  doc: Doc;
  decode: (d: Doc) => object;
  /** Fields kept only to be queried (or the insertion order), never read back. */
  shadows: string[];
}

const user = aUser(org.id, { externalId: "x1", displayName: "Ann", orgRole: "owner", data: { [ENT]: { employeeNumber: "7" }, userName: "u" } });
user.data.userName = user.userName;
const KINDS: Kind[] = [
  { collection: "users", record: user, doc: userDoc(user, 1), decode: toUser, shadows: ["seq", "userNameLower", "emailsLower", "primaryEmailLower", "orgscim"] },
  { collection: "groups", record: aGroup(org.id, { binding: { kind: "accountRole", accountId: "AC1", role: "billing_manager" }, builtin: true }), doc: {}, decode: toGroup, shadows: ["seq", "displayNameLower"] },
  { collection: "organizations", record: org, doc: orgDoc(org), decode: toOrg, shadows: [] },
  { collection: "tokens", record: token, doc: tokenDoc(token), decode: toToken, shadows: [] },
  { collection: "domains", record: domain, doc: domainDoc(domain), decode: toDomain, shadows: ["nameLower", "claimedName", "orgName"] },
  { collection: "invitations", record: invitation, doc: invitationDoc(invitation), decode: toInvitation, shadows: [] },
  { collection: "audit_events", record: audit, doc: auditDoc(audit, 1), decode: toAudit, shadows: ["seq", "actorCredential", "actorUser"] },
  { collection: "accounts", record: account, doc: { _id: account.id, orgId: account.orgId, seq: 1, name: account.name, ownerId: account.ownerId, status: account.status, created: NOW, lastModified: NOW }, decode: toAccount, shadows: ["seq"] },
  { collection: "outbox", record: message, doc: { _id: message.id, ...Object.fromEntries(Object.entries(message).filter(([k]) => k !== "id")) }, decode: toMessage, shadows: [] },
];
KINDS[1]!.doc = groupDoc(KINDS[1]!.record as ReturnType<typeof aGroup>, 1);

/** A value of the wrong JSON type for whatever `value` is. */
const wrongType = (value: unknown): unknown => (typeof value === "string" || value === null ? 42 : "not-what-the-store-writes");

describe.each(KINDS)("decoding $collection documents", (kind) => {
  it("reads what the store writes (through its mongoose schema) back as the record", async () => {
    const stored = await checked(models[kind.collection], kind.doc);
    expect(kind.decode(stored)).toEqual(kind.record);
  });

  it("refuses every field the record is read from when it holds the wrong type, naming the collection, the document and the field", async () => {
    const stored = await checked(models[kind.collection], kind.doc);
    const read = Object.keys(stored).filter((f) => !kind.shadows.includes(f));
    expect(read.length).toBeGreaterThan(3);
    for (const field of read) {
      const bad = { ...stored, [field]: wrongType(stored[field]) };
      let thrown: unknown = null;
      try {
        kind.decode(bad);
      } catch (e) {
        thrown = e;
      }
      // before/after of an audit event are free-form: any JSON value is theirs to hold
      if (kind.collection === "audit_events" && (field === "before" || field === "after")) {
        expect([field, thrown]).toEqual([field, null]);
        continue;
      }
      expect([field, thrown]).toEqual([field, expect.any(MalformedDocument)]);
      const m = thrown as MalformedDocument;
      expect(m.collection).toBe(kind.collection);
      expect(m.message).toContain(` in ${kind.collection} `);
      expect(m.message).toContain(field === "_id" ? "_id" : JSON.stringify(stored._id));
      expect(m.problems.join("; ")).toContain(field);
    }
  });

  it("ignores the fields kept only for queries (a wrong shadow field is the index's problem, not the record's)", async () => {
    const stored = await checked(models[kind.collection], kind.doc);
    const shadowed = Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, kind.shadows.includes(k) ? wrongType(v) : v]));
    expect(kind.decode(shadowed)).toEqual(kind.record);
  });
});

describe("what decoding refuses and keeps", () => {
  it("names the value a field may take when an enumeration holds another", () => {
    const doc = { ...userDoc(user, 1), status: "suspended" };
    expect(() => toUser(doc)).toThrow(/status: .*"managed".*"pending".*"independent"/);
  });

  it("says a document lacks its _id", () => {
    const { _id: _omit, ...doc } = userDoc(user, 1);
    expect(() => toUser(doc)).toThrow(/\(without _id\).*_id/);
  });

  it("keeps a __proto__ key of the free-form data as data, without touching any prototype", () => {
    const data = JSON.parse(`{"__proto__": {"polluted": true}, "userName": "${user.userName}"}`) as Record<string, unknown>;
    const read = toUser({ ...userDoc(user, 1), data });
    expect(Object.getOwnPropertyNames(read.data)).toContain("__proto__");
    expect(Object.getPrototypeOf(read.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("reads documents older versions wrote without the fields added since, as before", () => {
    const { kind: _k, expires: _e, audience: _a, createdBy: _c, creatorUserId: _u, ceiling: _l, ...oldToken } = tokenDoc(token);
    expect(toToken(oldToken)).toEqual({ ...token, kind: undefined, expires: undefined, audience: undefined, createdBy: null, creatorUserId: null, ceiling: null });
    expect(Object.keys(toToken(oldToken))).not.toContain("kind");
    const oldInvitation: Doc = { _id: "IV2", orgId: org.id, userId: "US1", email: "a@acme.test", tokenHash: "t2", expires: NOW, created: NOW, acceptedAt: null, revokedAt: null };
    expect(toInvitation(oldInvitation)).toEqual({ id: "IV2", orgId: org.id, userId: "US1", email: "a@acme.test", tokenHash: "t2", expires: NOW, created: NOW, acceptedAt: null, revokedAt: null });
    const { revalidatingSince: _r, ...oldDomain } = domainDoc(domain);
    expect(toDomain(oldDomain).revalidatingSince).toBeNull();
    expect(toOrg({ _id: org.id, name: "Acme", settings: { exposeRoleGroups: false }, created: NOW, lastModified: NOW }).settings)
      .toEqual({ ...org.settings, exposeRoleGroups: false });
  });
});

describe("the store's schemas, bound to a connection (models.ts)", () => {
  it("binds every collection of SCHEMAS to the model of its own name and schema", () => {
    const names = Object.keys(SCHEMAS);
    expect(Object.keys(models).sort()).toEqual([...names].sort());
    for (const [name, model] of Object.entries(models)) {
      expect([name, model.collection.collectionName, model.schema === SCHEMAS[name as CollectionName]]).toEqual([name, name, true]);
    }
  });

  it("lets a required string be empty (the domain decides which may be) but refuses one absent or not a string", async () => {
    const doc = orgDoc(org);
    expect((await checked(models.organizations, { ...doc, name: "" })).name).toBe("");
    const { name: _n, ...absent } = doc;
    await expect(checked(models.organizations, absent)).rejects.toThrow(/name.*required/);
    await expect(checked(models.organizations, { ...doc, name: { not: "a string" } })).rejects.toThrow(/name/);
    // the override is per path: a connection's models share nothing with mongoose's global String
    expect(new (mongoose.model("DecodeTestEmpty", new mongoose.Schema({ s: { type: String, required: true } })))({ s: "" }).validateSync()?.message).toMatch(/required/);
  });
});

describe("a hand-edited document, through the MongoDB store and over HTTP", () => {
  let http: Server;
  let base: string;
  let bearer: string;
  const logLines: Array<Record<string, unknown>> = [];
  const store = mingoStore();

  beforeAll(async () => {
    const o = await createOrganization(store, systemClock, { name: "Decode Org", settings: { domainEnforcement: false } });
    bearer = (await issueToken(store, systemClock, { orgId: o.id, name: "t", scopes: ["scim", "admin"] })).plaintext;
    const config = loadConfig({ DATABASE_URL: "mongodb://127.0.0.1:1/unused", LOG_LEVEL: "error", WRITES_SHED_LAG_MS: "0", ANONYMOUS_PER_MINUTE: "0", AUTH_FAILURES_PER_MINUTE: "0" });
    const sink = new Writable({ write(chunk: Buffer, _enc, cb) { for (const l of chunk.toString().split("\n")) if (l) logLines.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
    const app = createApp({ config, store, clock: systemClock, logger: pino({ level: "error" }, sink) });
    http = await new Promise((resolve) => { const s = app.listen(0, "127.0.0.1", () => resolve(s)); });
    http.keepAliveTimeout = 0;
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => http.close(r));
    await store.close();
  });

  it("answers 500 without detail at the SCIM door, and logs which document and field", async () => {
    const create = await fetch(`${base}/scim/v2/Users`, {
      method: "POST", headers: { authorization: `Bearer ${bearer}`, "content-type": "application/scim+json" },
      body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "edited@acme.test" }),
    });
    expect(create.status).toBe(201);
    const id = ((await create.json()) as { id: string }).id;
    expect((await fetch(`${base}/scim/v2/Users/${id}`, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(200);
    await store.db.collection("users").updateOne({ _id: { $eq: id } }, { $set: { active: "yes" } });
    const res = await fetch(`${base}/scim/v2/Users/${id}`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toMatch(/active|MongoDB|users/);
    const logged = JSON.stringify(logLines);
    expect(logged).toContain(`MongoDB document \\"${id}\\" in users is not one this orgscim can read (active: `);
  });

  it("answers the same at the /v1 door", async () => {
    const list = await fetch(`${base}/v1/Users`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(list.status).toBe(500);
  });
});
