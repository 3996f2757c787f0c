/**
 * SCIM event push in /metrics (issue 22): attempts by result and each delivered SET's delay, over
 * real HTTP, with a receiver on loopback that refuses one SET (400), is down once (503), then takes
 * the rest.
 */
import { sample, scrapeMetrics } from "../helpers/metrics";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { makeStream, startReceiver, until, type Receiver } from "./helpers";

jest.setTimeout(60_000);

const TOKEN = "metrics-token-0123456789abcdef";

let s: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  s = await startTestServer({ METRICS_TOKEN: TOKEN, EVENTS_ALLOW_PRIVATE_RECEIVERS: "true", EVENTS_PUSH_INTERVAL_MS: "100", EVENTS_RETRY_BASE_MS: "50", LOG_LEVEL: "silent" });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await s.close();
});

it("counts push attempts by result and times each delivered SET from its change", async () => {
  const scrape = async () => (await scrapeMetrics(s.url, TOKEN)).text;
  const { token } = await s.newOrg({ domainEnforcement: false });
  let n = 0;
  // 1st: refused (400); 2nd: down (503), so tried again; every other: taken.
  receiver.answer = () => (++n === 1 ? { status: 400, body: { err: "invalid_request", description: "no" } } : n === 2 ? { status: 503 } : { status: 202 });
  await makeStream(s, token, { delivery: "push", endpoint_url: receiver.url });
  for (let i = 0; i < 3; i++) expect((await call("POST", `${s.scim}/Users`, token, userBody(`m${i}@acme.test`))).status).toBe(201);
  let text = "";
  await until("5 SETs delivered and counted", async () => {
    text = await scrape();
    return (sample(text, "orgscim_event_sets_total", { result: "delivered" }) ?? 0) >= 5;
  }, 20_000);
  expect(receiver.received).toHaveLength(5); // 3 users and 3 group changes, one refused
  expect(sample(text, "orgscim_event_sets_total", { result: "delivered" })).toBe(5);
  expect(sample(text, "orgscim_event_sets_total", { result: "refused" })).toBe(1);
  expect(sample(text, "orgscim_event_sets_total", { result: "retrying" })).toBeGreaterThanOrEqual(1);
  expect(sample(text, "orgscim_event_delivery_delay_seconds_count")).toBe(5);
  expect(sample(text, "orgscim_event_delivery_delay_seconds_bucket", { le: "+Inf" })).toBe(5);
  expect(sample(text, "orgscim_event_delivery_delay_seconds_sum")).toBeGreaterThan(0);
});
