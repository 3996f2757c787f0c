/**
 * A /Bulk request runs in slices, each one store transaction committed before the next runs
 * (src/scim/bulk/run.ts). When the store fails a later slice (its transaction rolled back: a full
 * disk, a lock held past busy_timeout, a failed fsync), the slices before it are applied and
 * durable. The whole request was then answered 503 9002, "nothing was changed: send it again", so
 * an identity provider sent the applied creates again (409) and took the rest as never sent. The
 * rule (docs/security.md case 53), RFC 7644 §3.7.3 read literally (a response holds the result of
 * each operation processed): the answer is 200 with each applied operation's own result, the
 * operations of the failed slice each answering the store's error (nothing of them applied), and
 * none after them (not processed, as after failOnErrors); only a failure of the first slice, when
 * nothing was applied, answers the request as a whole with the store's error.
 *
 * Real HTTP, the real SQLite store, whose second /Bulk slice is made to fail after its work as a
 * failing COMMIT would (its transaction rolled back, StoreUnavailable).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withEvents } from "../../src/domain/events-capture";
import { StoreUnavailable, type Store } from "../../src/domain/ports/store";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

let dir: string;
let s: TestServer;
let token: string;
/** Which call of the store's batch (a /Bulk slice) fails: 0 for none. */
let failCall = 0;
let calls = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-bulk-partly-"));
  const real = withEvents(openSqliteStore({ path: join(dir, "bulk.db"), durability: "normal" }));
  const failing = (fn: () => Promise<unknown>) => async () => {
    const result = await fn();
    throw new StoreUnavailable(new Error("the test's store failed this slice after its work (as a COMMIT on a full disk would)"));
    return result;
  };
  const store = new Proxy(real, {
    get(t, key, receiver) {
      const value = Reflect.get(t, key, receiver) as unknown;
      if ((key === "batch" || key === "commitBatch") && typeof value === "function") {
        return (fn: () => Promise<unknown>) => {
          calls += 1;
          return (value as (f: () => Promise<unknown>) => Promise<unknown>).call(t, calls === failCall ? failing(fn) : fn);
        };
      }
      return value;
    },
  }) as Store;
  s = await startTestServer({ SCIM_BULK_MAX_OPERATIONS: "3000" }, { store });
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function bulkOfCreates(n: number, tag: string) {
  const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK], Operations: Array.from({ length: n }, (_, i) => (
    { method: "POST", path: "/Users", bulkId: `u${i}`, data: userBody(`${tag}-${i}@partly.test`) }
  )) });
  return r;
}
const stored = async (tag: string): Promise<number> =>
  Number((await call("GET", `${s.scim}/Users?count=0&filter=${encodeURIComponent(`userName sw "${tag}-"`)}`, token)).body.totalResults);

describe("a /Bulk request whose store fails a later slice", () => {
  it("answers 200: each applied operation its result, the failed slice's operations the store's error, none after", async () => {
    calls = 0;
    failCall = 2;
    const n = 2000;
    const r = await bulkOfCreates(n, "later");
    expect(calls).toBe(2); // the first slice committed, the second failed, and no third ran
    expect([r.status, r.headers.get("x-orgscim-error-code")]).toEqual([200, null]);
    const ops = r.body.Operations as Array<{ bulkId: string; status: string; location?: string; response?: { status: string } }>;
    const applied = ops.filter((o) => o.status === "201");
    const refused = ops.filter((o) => o.status !== "201");
    expect(applied.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(applied.length + refused.length).toBeLessThan(n);
    // In order: the applied first (the first slice), then the failed slice's, each 503 with no location.
    expect(ops.map((o) => o.bulkId)).toEqual(Array.from({ length: ops.length }, (_, i) => `u${i}`));
    expect(ops.findIndex((o) => o.status !== "201")).toBe(applied.length);
    for (const o of refused) expect([o.status, o.location, o.response?.status]).toEqual(["503", undefined, "503"]);
    // What the answer says is what the store holds.
    expect(await stored("later")).toBe(applied.length);
    for (const o of applied.slice(0, 3)) expect((await call("GET", o.location!, token)).status).toBe(200);
  });

  it("answers the store's error for the whole request when its first slice fails (nothing was applied)", async () => {
    calls = 0;
    failCall = 1;
    const r = await bulkOfCreates(20, "first");
    expect(r.status).toBe(503);
    expect(await stored("first")).toBe(0);
  });
});
