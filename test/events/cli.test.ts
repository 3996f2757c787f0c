/**
 * The CLI's writing commands reach the store through openStore, which captures SCIM events: a user
 * made by `orgscim import-csv` (the CLI door that changes users) is a SET for the organization's
 * streams, and a dry run writes none.
 */
import { writeFileSync } from "node:fs";
import { systemClock } from "../../src/domain/clock";
import { createStream } from "../../src/domain/events";
import { operatorActor } from "../../src/domain/actor";
import { openStore } from "../../src/store/open";
import { runCli } from "../cli/run-cli";
import { newOrg, tempStores, verifyDomain, type TempStores } from "../cli/seed";
import { PROV } from "./helpers";

let t: TempStores;
beforeAll(() => { t = tempStores(); });
afterAll(async () => { await t.close(); });

it("writes the SET of a user made by orgscim import-csv, and none for a dry run", async () => {
  const url = `sqlite:${t.path("cli-events.db")}`;
  const store = await openStore(url);
  const org = await newOrg(store, "CLI events");
  await verifyDomain(store, org.id, "acme.test");
  const stream = (await createStream({ store, clock: systemClock }, operatorActor(org, "test"), { name: "cli", delivery: "poll" })).stream;
  await store.close();
  const file = t.path("users.csv");
  writeFileSync(file, "userName,givenName,familyName,email\ncli@acme.test,C,L,cli@acme.test\n");
  process.env.DATABASE_URL = url;
  try {
    expect((await runCli(["import-csv", "--org", org.id, file, "--dry-run"])).result).toBe(0);
    expect((await runCli(["import-csv", "--org", org.id, file])).result).toBe(0);
  } finally {
    delete process.env.DATABASE_URL;
  }
  const after = await openStore(url);
  try {
    const user = await after.users.findByUserName(org.id, "cli@acme.test");
    const rows = await after.events!.listEvents(org.id, stream.id, 100);
    const users = rows.map((r) => JSON.parse(r.claims)).filter((c) => c.sub_id.uri.startsWith("/Users/"));
    expect(users).toHaveLength(1);
    expect(users[0].sub_id.uri).toBe(`/Users/${user!.id}`);
    expect(Object.keys(users[0].events)).toEqual([`${PROV}create:notice`]);
  } finally {
    await after.close();
  }
});
