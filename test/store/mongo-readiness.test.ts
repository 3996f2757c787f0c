/**
 * MongoDB readiness means "can serve writes" (issue 25): /readyz is 200 only when a probe write is
 * acknowledged with the store's write concern within PING_TIMEOUT_MS. The server here is a replica
 * set member that says it is the primary and answers pings, yet refuses writes
 * (../helpers/fake-mongod.ts; NotWritablePrimary), as a primary cut off from its majority or a
 * member in the middle of stepping down does; a ping-only probe calls it ready. Runs everywhere:
 * it needs no mongod.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import mongoose from "mongoose";
import { loadConfig } from "../../src/config/config";
import { systemClock } from "../../src/domain/clock";
import { createApp } from "../../src/http/app";
import { createLogger } from "../../src/http/logging";
import { clientOptions } from "../../src/store/mongo/connect";
import { mongoStoreOn, type MongoStore } from "../../src/store/mongo/store";
import { startLosingPrimaryMongod, type FakeMongod } from "../helpers/fake-mongod";

let mongod: FakeMongod;
let store: MongoStore;
let http: Server;
let base: string;

beforeAll(async () => {
  mongod = await startLosingPrimaryMongod();
  const client = new mongoose.mongo.MongoClient(mongod.url, clientOptions(mongod.url));
  await client.connect();
  store = mongoStoreOn(client, "orgscim_readiness", { transactional: true, close: () => client.close(true) });
  const config = loadConfig({ DATABASE_URL: mongod.url, LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0" });
  const app = createApp({ config, store, clock: systemClock, logger: createLogger("silent") });
  http = await new Promise((resolve) => { const s = app.listen(0, "127.0.0.1", () => resolve(s)); });
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => http.close(r));
  await store.close();
  await mongod.close();
});

describe("MongoDB readiness", () => {
  it("answers /readyz 503 while the primary answers pings but refuses writes, and 200 once writes are acknowledged", async () => {
    const pinged = await store.ping().then(() => "ready", (e: Error) => e.message);
    expect(pinged).not.toBe("ready");
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get("retry-after")).toBe("5");
    expect(mongod.commands).toContain("update"); // the probe was a write, not a ping

    mongod.acceptWrites();
    // The driver marks the member unknown after NotWritablePrimary and checks it again; the probe
    // result is shared for a second. Ready within a bound a loaded machine keeps.
    const end = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < end && status !== 200) {
      status = (await fetch(`${base}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });
});
