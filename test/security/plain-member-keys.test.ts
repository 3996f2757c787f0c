/**
 * A member PATCH in the plain forms identity providers send is read without the general parse since
 * 9fd0803 (src/scim/patch/plain-member-ops.ts); the general parse is where a body's forbidden keys
 * are refused (docs/security.md case 12) and a strict profile's rules applied. Held (case 89): a
 * plain-form body carrying `__proto__`, `constructor` or `prototype` as a key of the envelope, of
 * an operation or of a member answers 400 and changes nothing, Object.prototype untouched; the same
 * body without the key adds the member. Bodies are sent as raw JSON text, so `__proto__` is an own
 * key as a client writes it.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(60_000);

let s: TestServer;
let token = "";
let gid = "";
let uid = "";

beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
  const u = await call("POST", `${s.scim}/Users`, token, userBody(`plain-${Math.random().toString(36).slice(2, 8)}@acme.test`));
  uid = u.body.id as string;
  const g = await call("POST", `${s.scim}/Groups`, token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `plain-${Math.random().toString(36).slice(2, 8)}` });
  gid = g.body.id as string;
});
afterAll(() => s.close());

const members = async () => ((await call("GET", `${s.scim}/Groups/${gid}`, token)).body.members as { value: string }[] | undefined ?? []).map((m) => m.value);

const KEYS = ["__proto__", "constructor", "prototype"];
const PLACES: Record<string, (key: string) => string> = {
  "the envelope": (k) => `{"schemas":["${PATCH_SCHEMA}"],"Operations":[{"op":"add","path":"members","value":[{"value":"${uid}"}]}],"${k}":{"polluted":1}}`,
  "an operation": (k) => `{"schemas":["${PATCH_SCHEMA}"],"Operations":[{"op":"add","path":"members","value":[{"value":"${uid}"}],"${k}":{"polluted":1}}]}`,
  "a member": (k) => `{"schemas":["${PATCH_SCHEMA}"],"Operations":[{"op":"add","path":"members","value":[{"value":"${uid}","${k}":{"polluted":1}}]}]}`,
  "an Entra remove's member": (k) => `{"schemas":["${PATCH_SCHEMA}"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"${uid}","${k}":{"polluted":1}}]}]}`,
};

it.each(Object.keys(PLACES).flatMap((place) => KEYS.map((key) => [place, key] as const)))("answers 400 to a plain member PATCH with %s holding %s, and changes nothing", async (place, key) => {
  const r = await call("PATCH", `${s.scim}/Groups/${gid}`, token, PLACES[place]!(key));
  expect(r.status).toBe(400);
  expect(await members()).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

it("adds the member from the same body without the key (the form is the plain one)", async () => {
  const r = await call("PATCH", `${s.scim}/Groups/${gid}`, token, `{"schemas":["${PATCH_SCHEMA}"],"Operations":[{"op":"add","path":"members","value":[{"value":"${uid}"}]}]}`);
  expect(r.status).toBeLessThan(300);
  expect(await members()).toEqual([uid]);
});
