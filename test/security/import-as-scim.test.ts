/**
 * An import into an organization accepts no user line that a SCIM POST of the same body in the
 * same organization would refuse, but for the import's own rules (docs/security.md case 88, held):
 * it matches an existing user by userName and updates them (SCIM answers 409 uniqueness, 4002) and
 * does not apply domain enforcement to a file (README, Export; both organizations here have it
 * off); it is stricter elsewhere (an address another organization manages: 8102). Cases 79, 85 and
 * 87 were such lines, each found by hand; this test generates them.
 *
 * Generated bodies, each sent as SCIM POST /Users into one organization and as an `orgscim import`
 * line into its twin (same settings, the same users beforehand: a managed, a pending and an
 * independent user), with: userNames fresh or one of those users' in another case or Unicode form,
 * with or without a refused character; an address on a domain nobody verified, on another
 * organization's verified domain (in several spellings), at an address another organization
 * manages, or an independent or pending user's; carried by the primary email, an unmarked first
 * email, a secondary email or the userName alone; two primaries. Held when every line the import
 * applies as a managed user is one SCIM accepted (201), or refused 409 4002 (a user of that
 * userName exists: the import updates them).
 */
import fc from "fast-check";
import { importLines } from "../../src/cli/import";
import { systemClock } from "../../src/domain/clock";
import { aUser } from "../helpers/fixtures";
import { call, USER_SCHEMA, startTestServer, type TestServer } from "../helpers/server";
import { linesOf } from "../cli/seed";

jest.setTimeout(300_000);

const run = Math.random().toString(36).slice(2, 7);
const OWNED = `owned-${run}.test`;
const FREE = `free-${run}.test`;
const HELD = `held-${run}.test`;
const RUNS = Number(process.env.IMPORT_AS_SCIM_RUNS ?? 120);

let s: TestServer;
const twins: Array<{ id: string; token: string }> = [];
const header = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: "OR99999999999999999999999999999999", exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });

beforeAll(async () => {
  s = await startTestServer();
  const owner = await s.newOrg({ domainEnforcement: true });
  await s.verifyDomain(owner.org.id, OWNED);
  const holder = await s.newOrg({ domainEnforcement: false });
  await s.running.store.users.insert(aUser(holder.org.id, { userName: `kim@${HELD}` }));
  for (let i = 0; i < 2; i++) {
    const o = await s.newOrg({ domainEnforcement: false });
    twins.push({ id: o.org.id, token: o.token });
    await s.running.store.users.insert(aUser(o.org.id, { userName: `ann@${FREE}` }));
    await s.running.store.users.insert(aUser(o.org.id, { userName: `pat@${FREE}`, status: "pending" }));
    await s.running.store.users.insert(aUser(o.org.id, { userName: `carol@${FREE}`, status: "independent", orgRole: null }));
  }
});
afterAll(() => s.close());

/** Spellings of a domain that name it (case 74). */
const spelt = (d: string) => fc.constantFrom(d, d.toUpperCase(), `${d}.`, d.replace("o", "ｏ"));
const local = fc.constantFrom("a", "B", "zoe\u0308", "zo\u00eb", "x.y");

const address = fc.oneof(
  fc.tuple(local, spelt(FREE)).map(([l, d]) => ({ fresh: true, value: `${l}@${d}` })),
  fc.tuple(local, spelt(OWNED)).map(([l, d]) => ({ fresh: true, value: `${l}@${d}` })),
  fc.constantFrom(`kim@${HELD}`, `KIM@${HELD.toUpperCase()}`).map((v) => ({ fresh: false, value: v })),
  fc.constantFrom(`ann@${FREE}`, `PAT@${FREE}`, `carol@${FREE.toUpperCase()}`, `Carol@${FREE}.`).map((v) => ({ fresh: false, value: v })),
);

const body = fc.record({
  address,
  carrier: fc.constantFrom("primary", "unmarked", "secondary", "userName", "twoPrimaries"),
  userNameIsAddress: fc.boolean(),
  refusedChar: fc.constantFrom("", "", "", "\u200b", "\u202e"),
}).map(({ address: a, carrier, userNameIsAddress, refusedChar }) => {
  const unique = `${Math.random().toString(36).slice(2, 8)}`;
  // A fresh address gets a unique local part (each run its own person); an existing user's is kept.
  const value = a.fresh ? a.value.replace("@", `-${unique}@`) : a.value;
  const userName = (carrier === "userName" || userNameIsAddress ? value : `u-${unique}`) + refusedChar;
  const other = `other-${unique}@${FREE}`;
  const emails = carrier === "primary" ? [{ value, type: "work", primary: true }]
    : carrier === "unmarked" ? [{ value, type: "work" }]
      : carrier === "secondary" ? [{ value: other, type: "work", primary: true }, { value, type: "home" }]
        : carrier === "twoPrimaries" ? [{ value, type: "work", primary: true }, { value: other, type: "home", primary: true }]
          : undefined;
  return { schemas: [USER_SCHEMA], userName, ...(emails ? { emails } : {}), name: { givenName: "G", familyName: "F" } };
});

it(`accepts no import line as a managed user that SCIM POST refuses (${RUNS} generated bodies)`, async () => {
  const [scimOrg, importOrg] = twins as [{ id: string; token: string }, { id: string; token: string }];
  const wrong: string[] = [];
  await fc.assert(fc.asyncProperty(body, async (b) => {
    const scim = await call("POST", `${s.scim}/Users`, scimOrg.token, b);
    const { report } = await importLines(s.running.store, systemClock, importOrg.id, linesOf([header, JSON.stringify({ type: "user", resource: b })]), { batchSize: 1 });
    const applied = report.errors.length === 0;
    const scimOk = scim.status === 201 || (scim.status === 409 && scim.body?.scimType === "uniqueness" && !/independent/i.test(String(scim.body?.detail)));
    if (applied && !scimOk) wrong.push(`${JSON.stringify(b)}: SCIM ${scim.status} ${scim.body?.scimType ?? ""} ${String(scim.body?.detail ?? "").slice(0, 80)}; import applied`);
    if (scim.status === 201) await call("DELETE", `${s.scim}/Users/${scim.body.id as string}`, scimOrg.token);
  }), { numRuns: RUNS, seed: Number(process.env.IMPORT_AS_SCIM_SEED ?? Date.now() % 2 ** 31) });
  expect(wrong).toEqual([]);
});
