/**
 * A /Bulk runs its operations in slices and yields to other requests between them
 * (src/scim/bulk/run.ts), so a large one runs for seconds. A change of what its token may do
 * answered meanwhile (the token revoked, the user it acts for suspended or demoted) holds for the
 * rest of it: no operation of the bulk is written after that change was acknowledged, and each
 * operation left answers what its own request would now answer (401, 403). docs/security.md case 90.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { people, unique } from "../authz/people";

jest.setTimeout(120_000);

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const OPERATIONS = 1000;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

interface Case {
  /** The change, made with the operator's token; `sid` is the bulk token's. */
  change(operator: string, sid: string, subject: string): Promise<{ status: number }>;
  /** What each operation after the change answers. */
  after: string;
}

const CASES: Record<string, Case> = {
  "the token is revoked": { change: (op, sid) => v1("DELETE", `${s.url}/v1/Tokens/${sid}`, op), after: "401" },
  "the token's user is suspended": {
    change: (op, _sid, subject) => call("PATCH", `${s.scim}/Users/${subject}`, op, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] }),
    after: "401",
  },
  "the token's user is demoted to Standard User": { change: (op, _sid, subject) => v1("POST", `${s.url}/v1/Users/${subject}`, op, { org_role: "standard" }), after: "403" },
};

it.each(Object.keys(CASES))("writes no operation of a running /Bulk once %s", async (name) => {
  const c = CASES[name]!;
  const p = await people(s);
  // A token acting for the Administrator, as `orgscim tokens create --user` makes it.
  const made = await issueToken(s.running.store, systemClock, { orgId: p.orgId, name: unique("bulk"), scopes: ["scim", "admin"], userId: p.admin });
  const bulkToken = made.plaintext;
  const users = async (): Promise<number> => (await call("GET", `${s.scim}/Users?count=0&filter=${encodeURIComponent('userName sw "bulk-"')}`, p.operator)).body.totalResults as number;
  const tag = unique("bulk");
  const Operations = Array.from({ length: OPERATIONS }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `u${i}`, data: userBody(`${tag}-${i}@acme.test`) }));
  const running = call("POST", `${s.scim}/Bulk`, bulkToken, { schemas: [BULK], Operations });
  let before = 0;
  for (let i = 0; i < 2000 && before === 0; i++) {
    await new Promise((r) => setTimeout(r, 2));
    before = await users();
  }
  expect(before).toBeGreaterThan(0);
  expect((await c.change(p.operator, made.token.id, p.admin)).status).toBeLessThan(300);
  const atChange = await users();
  const r = await running;
  expect(r.status).toBe(200);
  expect(atChange).toBeLessThan(OPERATIONS); // the change came while the bulk ran
  const ops = r.body.Operations as { status: string; response?: { schemas?: string[]; status?: string } }[];
  expect(ops).toHaveLength(OPERATIONS);
  const later = ops.slice(atChange);
  expect({ written: await users(), statuses: [...new Set(later.map((o) => o.status))] }).toEqual({ written: atChange, statuses: [c.after] });
  // Each refusal is an RFC 7644 §3.12 error body.
  expect(later[later.length - 1]!.response).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: c.after });
});
