/**
 * POST /Users with an externalId revives a deactivated user holding it (Okta re-provisioning) and
 * creates a user otherwise; which of the two, and what is checked first, is decided in the create's
 * transaction (src/domain/users.ts createUser). Issue 18 folds that decision into the insert on
 * SQLite. Held here, for every state the externalId can be in, over HTTP on the real store: the
 * answer (status, X-Orgscim-Outcome, which user), what stands afterwards (the users holding the
 * externalId, active or not, their userNames), and that another organization's users are never
 * revived nor changed (docs/security.md case 94).
 */
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const tag = () => Math.random().toString(36).slice(2, 8);
const deactivate = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] };

interface World { token: string; other: string; otherId: string; ext: string; name: string; ids: Record<string, string> }
type Setup = (w: World) => Promise<void>;

const make = async (token: string, userName: string, over: Record<string, unknown> = {}): Promise<string> => {
  const r = await call("POST", `${s.scim}/Users`, token, userBody(userName, over));
  if (r.status !== 201) throw new Error(`setup: POST /Users ${r.status} ${r.text}`);
  return r.body.id as string;
};
const off = async (token: string, id: string) => {
  const r = await call("PATCH", `${s.scim}/Users/${id}`, token, deactivate);
  if (r.status >= 300) throw new Error(`setup: deactivate ${r.status} ${r.text}`);
};

/** The state of the externalId before the POST, and the POST's body. */
const CASES: Record<string, { setup: Setup; body: (w: World) => Record<string, unknown> }> = {
  "held by nobody": { setup: async () => undefined, body: (w) => userBody(w.name, { externalId: w.ext }) },
  "held by a deactivated user, same userName": {
    setup: async (w) => { w.ids.old = await make(w.token, w.name, { externalId: w.ext }); await off(w.token, w.ids.old); },
    body: (w) => userBody(w.name, { externalId: w.ext }),
  },
  "held by a deactivated user, another userName": {
    setup: async (w) => { w.ids.old = await make(w.token, `old-${w.name}`, { externalId: w.ext }); await off(w.token, w.ids.old); },
    body: (w) => userBody(w.name, { externalId: w.ext }),
  },
  "held by an active user": {
    setup: async (w) => { w.ids.old = await make(w.token, `old-${w.name}`, { externalId: w.ext }); },
    body: (w) => userBody(w.name, { externalId: w.ext }),
  },
  "held by an active and a deactivated user": {
    setup: async (w) => {
      // The active one first: a create of the externalId while only a deactivated user holds it revives that user.
      w.ids.on = await make(w.token, `on-${w.name}`, { externalId: w.ext });
      w.ids.off = await make(w.token, `off-${w.name}`, { externalId: w.ext }); await off(w.token, w.ids.off);
    },
    body: (w) => userBody(w.name, { externalId: w.ext }),
  },
  "held by a deactivated user, the userName another active user's": {
    setup: async (w) => {
      w.ids.old = await make(w.token, `old-${w.name}`, { externalId: w.ext }); await off(w.token, w.ids.old);
      w.ids.taken = await make(w.token, w.name);
    },
    body: (w) => userBody(w.name, { externalId: w.ext }),
  },
  "held by a deactivated user, the POST asking for Administrator": {
    setup: async (w) => { w.ids.old = await make(w.token, w.name, { externalId: w.ext }); await off(w.token, w.ids.old); },
    body: (w) => userBody(w.name, { externalId: w.ext, schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ORG_EXT], [ORG_EXT]: { orgRole: "administrator" } }),
  },
  "held by a deactivated user in another case": {
    setup: async (w) => { w.ids.old = await make(w.token, `old-${w.name}`, { externalId: w.ext.toUpperCase() }); await off(w.token, w.ids.old); },
    body: (w) => userBody(w.name, { externalId: w.ext }),
  },
  "held by another organization's deactivated user": {
    setup: async (w) => { w.ids.foreign = await make(w.other, `f-${w.name}`, { externalId: w.ext }); await off(w.other, w.ids.foreign); },
    body: (w) => userBody(w.name, { externalId: w.ext }),
  },
  "held by a deactivated user, the POST's address on another organization's verified domain": {
    setup: async (w) => {
      w.ids.old = await make(w.token, `old-${w.name}`, { externalId: w.ext }); await off(w.token, w.ids.old);
      await s.verifyDomain(w.otherId, `v-${w.ext}.test`);
    },
    body: (w) => userBody(`n@v-${w.ext}.test`, { externalId: w.ext }),
  },
  "held by a deactivated user, the POST's userName refused": {
    setup: async (w) => { w.ids.old = await make(w.token, `old-${w.name}`, { externalId: w.ext }); await off(w.token, w.ids.old); },
    body: (w) => userBody(`x\u202e${w.name}`, { externalId: w.ext }),
  },
};

/** What the POST answered and what holds the externalId afterwards, with ids named as the setup named them. */
async function outcome(w: World, r: { status: number; headers: Headers; body: any }): Promise<Record<string, unknown>> { // eslint-disable-line @typescript-eslint/no-explicit-any -- a SCIM answer
  const name = (id: unknown) => Object.entries(w.ids).find(([, v]) => v === id)?.[0] ?? (id ? "new" : null);
  const holders = async (token: string, ext: string) => ((await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`externalId eq "${ext}"`)}`, token)).body.Resources as { id: string; active: boolean; userName: string }[])
    .map((u) => `${name(u.id)} ${u.active ? "active" : "inactive"} ${u.userName.replace(w.name, "NAME")}`).sort();
  return {
    status: r.status,
    outcome: r.headers.get("x-orgscim-outcome"),
    user: r.status === 201 ? name(r.body.id) : r.body?.scimType ?? r.body?.status,
    holders: await holders(w.token, w.ext),
    ...(w.ids.foreign ? { foreign: await holders(w.other, w.ext) } : {}),
  };
}

/** What main answered (ef9b202 to 35ca4a3): a deactivated user of this organization holding the externalId is revived (renamed as the POST says) unless an active one holds it too; the externalId is compared exactly. */
const EXPECTED: Record<string, Record<string, unknown>> = {
  "held by nobody": { status: 201, outcome: null, user: "new", holders: ["new active NAME"] },
  "held by a deactivated user, same userName": { status: 201, outcome: "revived", user: "old", holders: ["old active NAME"] },
  "held by a deactivated user, another userName": { status: 201, outcome: "revived", user: "old", holders: ["old active NAME"] },
  "held by an active user": { status: 201, outcome: null, user: "new", holders: ["new active NAME", "old active old-NAME"] },
  "held by an active and a deactivated user": { status: 201, outcome: null, user: "new", holders: ["new active NAME", "off inactive off-NAME", "on active on-NAME"] },
  "held by a deactivated user, the userName another active user's": { status: 409, outcome: null, user: "uniqueness", holders: ["old inactive old-NAME"] },
  "held by a deactivated user, the POST asking for Administrator": { status: 201, outcome: "revived", user: "old", holders: ["old active NAME"] },
  "held by a deactivated user in another case": { status: 201, outcome: null, user: "new", holders: ["new active NAME"] },
  "held by another organization's deactivated user": { status: 201, outcome: null, user: "new", holders: ["new active NAME"], foreign: ["foreign inactive f-NAME"] },
  "held by a deactivated user, the POST's address on another organization's verified domain": { status: 400, outcome: null, user: "invalidValue", holders: ["old inactive old-NAME"] },
  "held by a deactivated user, the POST's userName refused": { status: 400, outcome: null, user: "invalidValue", holders: ["old inactive old-NAME"] },
};

it.each(Object.keys(CASES))("POST /Users with an externalId %s", async (c) => {
  const a = await s.newOrg({ domainEnforcement: false });
  const b = await s.newOrg({ domainEnforcement: false });
  const w: World = { token: a.token, other: b.token, otherId: b.org.id, ext: `ext-${tag()}`, name: `n-${tag()}@acme.test`, ids: {} };
  await CASES[c]!.setup(w);
  const r = await call("POST", `${s.scim}/Users`, w.token, CASES[c]!.body(w));
  expect(await outcome(w, r)).toEqual(EXPECTED[c]);
});
