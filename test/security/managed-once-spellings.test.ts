/**
 * A person is managed by one organization at a time, however their address spells its domain
 * (docs/security.md case 78). "Is this address managed by another organization?" compared the
 * stored primary email with the asked one without case (ASCII case in SQLite), so the same mailbox
 * with its domain spelt another way was managed by nobody: `bob@xn--bcher-kva.test` managed by one
 * organization did not stop another organization's invitee `bob@bücher.test` from accepting (nor an
 * import from making them managed), and the same held for a trailing dot (`bob@acme.test.`),
 * full-width letters (`bob@ａｃｍｅ.test`) and Unicode upper case. Domains are kept and asked in
 * one canonical form (case 74: emailDomain, src/domain/domain-rules.ts); the managed-once question
 * now folds the domain the same way on both sides, the stored address and the asked one.
 *
 * Attacked at the store (both stores: every stored spelling against every asked one, the lookup of
 * one and the lookup of many an import uses), over HTTP (an invitation's accept in another
 * organization, the address spelt otherwise than the managed user's) and through `orgscim import`.
 */
import type { Clock } from "../../src/domain/clock";
import type { Store } from "../../src/domain/ports/store";
import { importLines } from "../../src/cli/import";
import { aUser } from "../helpers/fixtures";
import { userBody } from "../helpers/server";
import { mingoStore } from "../store/mingo-store";
import { linesOf, newOrg, tempStores, type TempStores } from "../cli/seed";
import { accept, invitationTokenFor, inviteToOrg, newOrg as newHttpOrg, scimCreate, startTestServer, type TestServer } from "../tenancy/helpers";

jest.setTimeout(120_000);

const run = Math.random().toString(36).slice(2, 8);
const ASCII_DOMAIN = `acme-${run}.test`;
const IDN = `bücher-${run}.test`;
const IDN_ASCII = new URL(`http://${IDN}`).hostname; // xn--bcher-...

/** Spellings of one domain: each names the same mailboxes. */
const spellingsOf = (domain: "ascii" | "idn"): { label: string; domain: string }[] => domain === "ascii"
  ? [
    { label: "plain", domain: ASCII_DOMAIN },
    { label: "upper case", domain: ASCII_DOMAIN.toUpperCase() },
    { label: "trailing dot", domain: `${ASCII_DOMAIN}.` },
    { label: "full-width letters", domain: ASCII_DOMAIN.replace("acme", "ａｃｍｅ") },
  ]
  : [
    { label: "xn--", domain: IDN_ASCII },
    { label: "xn-- upper case", domain: IDN_ASCII.toUpperCase() },
    { label: "Unicode", domain: IDN },
    { label: "Unicode upper case", domain: IDN.toUpperCase() },
    { label: "Unicode, trailing dot", domain: `${IDN}.` },
  ];
const PAIRS = (["ascii", "idn"] as const).flatMap((d) => spellingsOf(d).flatMap((stored) => spellingsOf(d).map((asked) => ({ stored, asked }))));

const clock: Clock = { now: () => new Date("2026-12-07T12:00:00.000Z") };
let opened = 0;
const STORES: Array<[string, (t: TempStores) => Store]> = [
  ["SQLite", (t) => t.open(`m${++opened}.db`)],
  ["MongoDB store over the driver double", () => mingoStore()],
];

describe.each(STORES)("the managed-once question at the store (%s)", (_name, open) => {
  let t: TempStores;
  beforeEach(() => { t = tempStores(); });
  afterEach(() => t.close());

  it("finds a managed user whatever spelling of the domain is stored and asked, and only the same mailbox", async () => {
    const store = open(t);
    const home = await newOrg(store, "Home", { domainEnforcement: false }, clock);
    const other = await newOrg(store, "Other", { domainEnforcement: false }, clock);
    const wrong: string[] = [];
    let i = 0;
    for (const { stored, asked } of PAIRS) {
      const local = `Bob${++i}`;
      const address = `${local}@${stored.domain}`;
      await store.users.insert(aUser(home.id, { userName: `u${i}-${run}`, emails: [{ value: address, type: "work", primary: true }] }));
      const same = `${local.toLowerCase()}@${asked.domain}`;
      const neighbour = `${local.toLowerCase()}x@${asked.domain}`;
      const seen = {
        one: await store.users.isManagedElsewhere(other.id, same),
        many: [...((await store.users.findManagedElsewhere?.(other.id, [neighbour, same])) ?? new Set([same]))],
        neighbour: await store.users.isManagedElsewhere(other.id, neighbour),
        home: await store.users.isManagedElsewhere(home.id, same),
      };
      if (JSON.stringify(seen) !== JSON.stringify({ one: true, many: [same], neighbour: false, home: false })) {
        wrong.push(`stored ${stored.label} (${address}), asked ${asked.label} (${same}): ${JSON.stringify(seen)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("imports a managed user on the same mailbox spelt another way as refused 8102, and the other organization keeps the person", async () => {
    const store = open(t);
    const home = await newOrg(store, "Home", { domainEnforcement: false }, clock);
    const target = await newOrg(store, "Target", { domainEnforcement: false }, clock);
    await store.users.insert(aUser(home.id, { userName: `ann@${IDN_ASCII}` }));
    await store.users.insert(aUser(home.id, { userName: `cid@${ASCII_DOMAIN}.` }));
    const header = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: "OR99999999999999999999999999999999", exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
    const user = (userName: string) => JSON.stringify({ type: "user", resource: userBody(userName) });
    for (const batchSize of [1, 1000]) {
      const { report } = await importLines(store, clock, target.id, linesOf([header, user(`ann@${IDN}`), user(`cid@${ASCII_DOMAIN}`), user(`calm-${batchSize}@t-${run}.test`)]), { batchSize });
      expect(report.errors.map((e) => [e.line, e.code])).toEqual([[2, 8102], [3, 8102]]);
    }
    const managedHere = (await store.users.listByStatus(target.id, { offset: 0, limit: 10 })).items.map((u) => u.userName).sort();
    expect(managedHere).toEqual([`calm-1000@t-${run}.test`, `calm-1@t-${run}.test`]);
  });
});

describe("accepting an invitation to the same mailbox as another organization's managed user, spelt another way", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(() => s.close());

  it.each([
    { stored: IDN_ASCII, asked: IDN },
    { stored: IDN, asked: IDN_ASCII },
    { stored: IDN.toUpperCase(), asked: `${IDN_ASCII}` },
    { stored: `${ASCII_DOMAIN}.`, asked: ASCII_DOMAIN },
    { stored: ASCII_DOMAIN, asked: `${ASCII_DOMAIN}.` },
    { stored: ASCII_DOMAIN.replace("acme", "ａｃｍｅ"), asked: ASCII_DOMAIN },
  ])("is refused 6613 (managed @$stored, invited @$asked), the invitee left pending", async ({ stored, asked }) => {
    const local = `bob-${Math.random().toString(36).slice(2, 8)}`;
    const home = await newHttpOrg(s, false);
    const made = await scimCreate(s, home, `${local}@${stored}`);
    expect([made.status, made.body?.detail]).toEqual([201, undefined]);
    const other = await newHttpOrg(s, false);
    const inv = await inviteToOrg(s, other, `${local}@${asked}`);
    expect([inv.status, inv.body?.detail]).toEqual([201, undefined]);
    const r = await accept(s, await invitationTokenFor(s, inv.body.sid as string));
    expect([r.status, r.body?.code]).toEqual([409, 6613]);
    expect((await s.running.store.users.get(other.id, inv.body.user_sid as string, { includeIndependent: true }))?.status).toBe("pending");
  });
});
