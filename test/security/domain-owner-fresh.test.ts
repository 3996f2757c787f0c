/**
 * Which organization owns a domain is answered as the store holds it now, at every door that asks
 * (docs/security.md case 86, held). The organization that verified a domain alone provisions and
 * invites managed users on it (4011 to any other: cases 74, 84); once it removes the domain, others
 * may again. A create is being made faster (issue 18): an owner kept in memory between requests,
 * per organization or per process, would answer a verification or a removal late when another
 * process wrote it (a second server process on the file, `orgscim` commands, the periodic re-check
 * of another instance).
 *
 * Attacked with the server's answers warmed first (the doors answered on the domain while nobody
 * owned it), then another connection on the store's file verifying the domain for another
 * organization, then removing it: SCIM POST /Users, a /Bulk POST, a PUT and a PATCH moving a
 * user's primary email onto the domain, and /v1 POST /Invitations. Held when every door answers
 * 4011 right after the verification, nothing written, and 2xx again right after the removal.
 */
import { join } from "node:path";
import type { Store } from "../../src/domain/ports/store";
import type { Domain } from "../../src/domain/types";
import { newId } from "../../src/domain/ids";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";
import { BULK_REQUEST, uniqueDomain, uniqueLocal } from "../tenancy/helpers";
import { v1 } from "../helpers/v1";

jest.setTimeout(120_000);

let s: TestServer;
let other: Store;
let mine = { id: "", token: "" };
let theirs = { id: "", token: "" };

beforeAll(async () => {
  s = await startTestServer();
  other = openSqliteStore({ path: join(s.dir, "test.db") });
  const a = await s.newOrg({ domainEnforcement: false });
  mine = { id: a.org.id, token: a.token };
  const b = await s.newOrg({ domainEnforcement: true });
  theirs = { id: b.org.id, token: b.token };
});
afterAll(async () => {
  await other.close();
  await s.close();
});

/** A user of mine off the domain, to move onto it. */
async function mover(): Promise<string> {
  const r = await call("POST", `${s.scim}/Users`, mine.token, userBody(`${uniqueLocal("mv")}@${uniqueDomain("free")}`));
  expect(r.status).toBe(201);
  return r.body.id as string;
}

/** Each door, asked to make a managed user (or an invitation) at a fresh address on `domain`: its status, or /Bulk's operation's. */
const DOORS: Record<string, (domain: string) => Promise<{ status: number; code?: number; scimType?: string }>> = {
  "SCIM POST /Users": async (d) => shapeOf(await call("POST", `${s.scim}/Users`, mine.token, userBody(`${uniqueLocal()}@${d}`))),
  "/Bulk POST": async (d) => {
    const r = await call("POST", `${s.scim}/Bulk`, mine.token, { schemas: [BULK_REQUEST], Operations: [{ method: "POST", path: "/Users", bulkId: "u", data: userBody(`${uniqueLocal()}@${d}`) }] });
    const op = r.body?.Operations?.[0];
    return { status: Number(op?.status), scimType: op?.response?.scimType };
  },
  "PUT moving the primary email": async (d) => {
    const id = await mover();
    const address = `${uniqueLocal()}@${d}`;
    return shapeOf(await call("PUT", `${s.scim}/Users/${id}`, mine.token, userBody(address)));
  },
  "PATCH moving the primary email": async (d) => {
    const id = await mover();
    return shapeOf(await call("PATCH", `${s.scim}/Users/${id}`, mine.token, {
      schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "emails", value: [{ value: `${uniqueLocal()}@${d}`, type: "work", primary: true }] }],
    }));
  },
  "/v1 POST /Invitations": async (d) => {
    const r = await v1("POST", `${s.url}/v1/Invitations`, mine.token, { email: `${uniqueLocal()}@${d}`, org_role: "standard" });
    return { status: r.status, code: r.body?.code as number | undefined };
  },
};

function shapeOf(r: Reply): { status: number; scimType?: string } {
  return r.status < 300 ? { status: r.status } : { status: r.status, scimType: r.body?.scimType };
}

const ok = (x: { status: number }) => x.status >= 200 && x.status < 300;

it("answers 4011 at every door right after another connection verifies the domain for another organization, and 2xx again right after it removes it", async () => {
  const domain = uniqueDomain("owned");
  // Warm: each door answered on the domain three times while nobody owns it.
  for (let i = 0; i < 3; i++) {
    for (const [door, send] of Object.entries(DOORS)) {
      const r = await send(domain);
      if (!ok(r)) throw new Error(`${door} answered ${JSON.stringify(r)} while nobody owns ${domain}`);
    }
  }
  const now = new Date().toISOString();
  const owned: Domain = { id: newId("DM"), orgId: theirs.id, name: domain, state: "verified", challenge: `orgscim-domain-verification=${"ab".repeat(16)}`, created: now, verifiedAt: now, revalidatingSince: null };
  await other.domains.insert(owned);
  const onDomain = async () => (await s.running.store.users.listByStatus(mine.id, { offset: 0, limit: 1000 })).items.filter((u) => u.emails.some((e) => e.value.endsWith(`@${domain}`))).length;
  const before = await onDomain();
  const refused: Record<string, unknown> = {};
  for (const [door, send] of Object.entries(DOORS)) refused[door] = await send(domain);
  expect(refused).toEqual({
    "SCIM POST /Users": { status: 400, scimType: "invalidValue" },
    "/Bulk POST": { status: 400, scimType: "invalidValue" },
    "PUT moving the primary email": { status: 400, scimType: "invalidValue" },
    "PATCH moving the primary email": { status: 400, scimType: "invalidValue" },
    "/v1 POST /Invitations": { status: 400, code: 4011 },
  });
  expect(await onDomain()).toBe(before);

  expect(await other.domains.update({ ...owned, state: "removed" })).toBe(true);
  const again: Record<string, boolean> = {};
  for (const [door, send] of Object.entries(DOORS)) again[door] = ok(await send(domain));
  expect(again).toEqual(Object.fromEntries(Object.keys(DOORS).map((d) => [d, true])));
});
