/**
 * With no MongoDB primary reachable, the server answers one clear 503 with Retry-After within the
 * stated bound (server selection, SERVER_SELECTION_MS, plus the time to answer), every time, /readyz answers
 * within PING_TIMEOUT_MS, and start-up against a URL pointing at nothing fails within the URL's own
 * serverSelectionTimeoutMS. "No primary" is a replica set member that stepped down
 * (../helpers/fake-mongod.ts), as in an election: the driver stays connected and waits. These
 * run everywhere: they need no mongod.
 */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import mongoose from "mongoose";
import { loadConfig } from "../../src/config/config";
import { systemClock } from "../../src/domain/clock";
import { newTokenPlaintext } from "../../src/domain/tokens";
import { createApp } from "../../src/http/app";
import { createLogger } from "../../src/http/logging";
import { clientOptions, SERVER_SELECTION_MS } from "../../src/store/mongo/connect";
import { startLosingPrimaryMongod, type FakeMongod } from "../helpers/fake-mongod";
import { createMongoStore, mongoStoreOn, PING_TIMEOUT_MS, type MongoStore } from "../../src/store/mongo/store";

/**
 * What answering may take besides waiting for a primary: as much as tells one server selection
 * from two (a retried operation waits SERVER_SELECTION_MS again), and no less: a loaded 2-core
 * machine adds seconds to an answer (the 2 s this was could be outlasted). The lower bound, that
 * it did wait for a primary, is what a loaded machine cannot move.
 */
const SLACK_MS = SERVER_SELECTION_MS - 500;

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let port: number;
let mongod: FakeMongod;
let store: MongoStore;
let http: import("node:http").Server;
let base: string;

beforeAll(async () => {
  port = await deadPort();
  mongod = await startLosingPrimaryMongod();
  const url = mongod.url;
  const client = new mongoose.mongo.MongoClient(url, clientOptions(url));
  await client.connect();
  mongod.stepDown(); // connected, and from now on no primary to send anything to
  store = mongoStoreOn(client, "orgscim_no_primary", { transactional: true, close: () => client.close(true) });
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0" });
  const app = createApp({ config, store, clock: systemClock, logger: createLogger("silent") });
  http = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => http.close(r));
  await store.close();
  await mongod.close();
});

const timed = async (path: string, init: RequestInit = {}) => {
  const started = Date.now();
  const res = await fetch(`${base}${path}`, init);
  const body = await res.text();
  return { res, body, ms: Date.now() - started };
};

describe("MongoDB unreachable", () => {
  const bearer = { authorization: `Bearer ${newTokenPlaintext()}` };

  it(`answers SCIM requests 503 with Retry-After within ${SERVER_SELECTION_MS + SLACK_MS} ms, each of them`, async () => {
    const all = await Promise.all([
      timed("/scim/v2/Users?filter=userName%20eq%20%22a%22", { headers: bearer }),
      timed("/scim/v2/Groups", { method: "POST", headers: { ...bearer, "content-type": "application/scim+json" }, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "g" }) }),
    ]);
    const again = await timed("/scim/v2/Users", { headers: bearer });
    for (const { res, body, ms } of [...all, again]) {
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(JSON.parse(body)).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "503" });
      expect(ms).toBeGreaterThanOrEqual(SERVER_SELECTION_MS - 500); // it did wait for a primary
      expect(ms).toBeLessThan(SERVER_SELECTION_MS + SLACK_MS);
    }
  }, 30_000);

  it(`answers a /v1 write 503 with Retry-After within ${SERVER_SELECTION_MS + SLACK_MS} ms`, async () => {
    const { res, ms } = await timed("/v1/Accounts", { method: "POST", headers: { ...bearer, "content-type": "application/json" }, body: JSON.stringify({ friendly_name: "Unreachable" }) });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(ms).toBeGreaterThanOrEqual(SERVER_SELECTION_MS - 500);
    expect(ms).toBeLessThan(SERVER_SELECTION_MS + SLACK_MS);
  }, 20_000);

  it(`answers /readyz 503 by its own ${PING_TIMEOUT_MS} ms probe timeout, not after a server selection (${SERVER_SELECTION_MS} ms)`, async () => {
    const { res, ms } = await timed("/readyz");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(ms).toBeGreaterThanOrEqual(PING_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(SERVER_SELECTION_MS - 500); // was PING_TIMEOUT_MS + 500: a loaded machine adds more
  });

  it("fails to start within the URL's serverSelectionTimeoutMS, as StoreUnavailable", async () => {
    const started = Date.now();
    const err = await createMongoStore(`mongodb://127.0.0.1:${port}/orgscim_nowhere?serverSelectionTimeoutMS=1500`).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "StoreUnavailable" });
    // The URL's 1.5 s, not the default SERVER_SELECTION_MS (5 s): what tells them apart, with room
    // for a loaded machine (was 2.5 s).
    expect(Date.now() - started).toBeLessThan(SERVER_SELECTION_MS - 500);
  });
});

