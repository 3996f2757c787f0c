/** `orgscim export` and `orgscim import`: the NDJSON format, round trips, idempotency, failing lines, real SQLite. */
import { readFileSync, writeFileSync } from "node:fs";
import { exportLines } from "../../src/cli/export";
import { domainVerifier, importLines } from "../../src/cli/import";
import type { Clock } from "../../src/domain/clock";
import type { Store } from "../../src/domain/ports/store";
import { createTxtResolver } from "../../src/infra/dns";
import { accountRoleGroupId } from "../../src/domain/account-roles";
import { authenticate } from "../../src/domain/tokens";
import { startDnsServer, type TestDnsServer } from "../helpers/dns-server";
import { aUser } from "../helpers/fixtures";
import { ORG_EXT, userBody } from "../helpers/server";
import { collect, linesOf, newOrg, seedOrganization, tempStores, type TempStores } from "./seed";
import { runCli } from "./run-cli";

const clock: Clock = { now: () => new Date("2026-03-01T12:00:00.000Z") };
let t: TempStores;
beforeEach(() => {
  t = tempStores();
});
afterEach(() => t.close());

const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown> & { type: string });
const header = (orgId: string) => JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId, exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
const userLine = (id: string | null, userName: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({ type: "user", resource: { ...(id ? { id } : {}), ...userBody(userName), ...over } });

describe("export", () => {
  it("writes one typed line a record: header, organization, domain, built-in groups, users (independent last), accounts (a closed one without role groups), groups, invitations", async () => {
    const store = t.open("a.db");
    const seeded = await seedOrganization(store);
    const lines = parse(await collect(exportLines(store, clock, seeded.org.id)));
    expect(lines[0]).toEqual({ type: "export", format: "orgscim-ndjson", version: 1, orgId: seeded.org.id, exported: "2026-03-01T12:00:00.000Z", store: "sqlite" });
    expect(lines.map((l) => l.type)).toEqual([
      "export", "organization", "domain", "group", "group", "group",
      "user", "user", "user", "user", "user", "user", "account",
      "group", "group", "group", "group", "account", "group", "group", "invitation", "invitation",
    ]);
    const users = lines.filter((l) => l.type === "user").map((l) => l.resource as Record<string, unknown> & { meta: Record<string, unknown> });
    expect(users[0]).toMatchObject({ id: seeded.userIds[0], userName: "ada@acme.test", externalId: "okta-1", meta: { resourceType: "User", version: 'W/"1"' } });
    expect(users[0]!.meta.location).toBeUndefined();
    expect(users[1]![ORG_EXT]).toMatchObject({ orgRole: "administrator", status: "managed", twoFactorRequired: true });
    expect(users[4]![ORG_EXT]).toMatchObject({ status: "pending" });
    // The independent user: her own (absent) org role, and her account role among the account's assignments.
    expect(users[5]).toMatchObject({ id: seeded.carolId, userName: "carol@partner.example", [ORG_EXT]: { status: "independent", orgRole: null } });
    expect(lines.filter((l) => l.type === "account").map((l) => [l.id, l.status])).toEqual([[seeded.accountId, "active"], [seeded.closedAccountId, "closed"]]);
    expect(lines.filter((l) => l.type === "invitation").map((l) => [l.userId, l.kind, l.acceptedAt === null ? "open" : "accepted"]))
      .toEqual([[seeded.userIds[4], "organization", "open"], [seeded.carolId, "account", "accepted"]]);
    const engineering = lines.find((l) => (l.resource as { displayName?: string } | undefined)?.displayName === "Engineering")!;
    // Members by id (their order in the store is insertion order, which an import changes).
    expect((engineering.resource as { members: unknown }).members).toEqual([seeded.userIds[0]!, seeded.userIds[2]!].sort().map((value) => ({ value })));
    // The built-in org-role groups carry no members (theirs are the users' org roles); the account-role groups carry the role assignments.
    expect(lines.slice(3, 6).every((l) => (l.resource as { members?: unknown }).members === undefined)).toBe(true);
    const developers = lines.find((l) => (l.resource as { displayName?: string } | undefined)?.displayName === `${seeded.accountId}:Developer`)!;
    expect((developers.resource as { members: unknown }).members).toEqual([seeded.userIds[0]!, seeded.carolId].sort().map((value) => ({ value })));
    expect(lines.some((l) => "orgId" in l && l.type !== "export")).toBe(false);
  });

  it("adds API token hashes with --tokens and the audit log, oldest first, with --audit", async () => {
    const store = t.open("a.db");
    const seeded = await seedOrganization(store);
    const lines = parse(await collect(exportLines(store, clock, seeded.org.id, { tokens: true, audit: true })));
    const tokens = lines.filter((l) => l.type === "token");
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ name: "okta", secretHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const audit = lines.filter((l) => l.type === "audit");
    expect(audit[0]).toMatchObject({ action: "organization.create" });
    const times = audit.map((a) => a.time as string);
    expect([...times].sort()).toEqual(times);
    expect(audit.length).toBe((await store.audit.list(seeded.org.id, { limit: 10_000 })).length);
  });

  it("refuses an organization the store does not have", async () => {
    const store = t.open("a.db");
    await expect(collect(exportLines(store, clock, "OR00000000000000000000000000000000"))).rejects.toThrow(/not found/);
  });
});

describe("export, then import into an empty store, then export", () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startDnsServer();
  });
  afterAll(() => dns.close());
  const publish = async (store: Store, orgId: string) => {
    for (const d of await store.domains.list(orgId)) dns.setTxt(`_orgscim.${d.name}`, d.challenge);
  };
  const verifier = () => domainVerifier(createTxtResolver({ servers: [dns.address], timeoutMs: 10_000 }));

  it("gives the same file with tokens asked for and the domain verified again through DNS: only its verification time and the header's export time differ", async () => {
    const source = t.open("a.db");
    const seeded = await seedOrganization(source);
    const first = await collect(exportLines(source, clock, seeded.org.id, { tokens: true }));
    await publish(source, seeded.org.id);
    const target = t.open("b.db");
    const { report } = await importLines(target, clock, seeded.org.id, linesOf(first), { tokens: true, verifyDomain: verifier() });
    expect([report.errors, report.notes]).toEqual([[], []]);
    expect(report.counts.user).toMatchObject({ created: 6, failed: 0 });
    const later: Clock = { now: () => new Date("2026-04-01T00:00:00.000Z") };
    const second = await collect(exportLines(target, later, seeded.org.id, { tokens: true }));
    const domainAt = first.findIndex((l) => l.startsWith('{"type":"domain"'));
    expect(JSON.parse(second[domainAt]!)).toEqual({ ...JSON.parse(first[domainAt]!), verifiedAt: "2026-03-01T12:00:00.000Z" });
    expect(second.filter((_, i) => i > 0 && i !== domainAt)).toEqual(first.filter((_, i) => i > 0 && i !== domainAt));
    expect({ ...JSON.parse(second[0]!), exported: null }).toEqual({ ...JSON.parse(first[0]!), exported: null });
  });

  it("leaves out what a file could grant unless asked: domains arrive pending, tokens stay out, pending invitations lose their token; the report says so", async () => {
    const source = t.open("a.db");
    const seeded = await seedOrganization(source);
    const target = t.open("b.db");
    const { report } = await importLines(target, clock, seeded.org.id, exportLines(source, clock, seeded.org.id, { tokens: true }));
    expect(report.errors).toEqual([]);
    expect(report.counts.token).toMatchObject({ skipped: 1 });
    expect(report.notes).toEqual([
      expect.stringContaining("1 domain the file has as verified arrived pending"),
      expect.stringContaining("1 pending invitation arrived without its token"),
      expect.stringContaining("1 API token was left out"),
    ]);
    expect(await target.domains.listByName("acme.test")).toEqual([expect.objectContaining({ state: "pending", verifiedAt: null })]);
    expect(await authenticate(target, seeded.token)).toBeNull();
    const [pending] = await target.invitations.listForUser(seeded.org.id, seeded.userIds[4]!);
    const [original] = await source.invitations.listForUser(seeded.org.id, seeded.userIds[4]!);
    expect(pending!.tokenHash).not.toBe(original!.tokenHash);
    expect({ ...pending, tokenHash: null }).toEqual({ ...original, tokenHash: null });
  });

  it("keeps what the domain derives working: tokens authenticate, role groups hold the roles, the pending user keeps the invitation, carol keeps her account role", async () => {
    const source = t.open("a.db");
    const seeded = await seedOrganization(source);
    const target = t.open("b.db");
    await importLines(target, clock, seeded.org.id, exportLines(source, clock, seeded.org.id, { tokens: true, audit: true }), { tokens: true });
    expect(await authenticate(target, seeded.token)).toMatchObject({ org: { id: seeded.org.id } });
    const admins = await target.groups.listMembers(seeded.org.id, `GP${seeded.org.id.slice(2, 32)}02`, 10);
    expect(admins.map((m) => m.id)).toEqual([seeded.userIds[1]]);
    expect(await target.invitations.listForUser(seeded.org.id, seeded.userIds[4]!)).toHaveLength(1);
    expect((await target.groups.groupsOfUser(seeded.org.id, seeded.carolId)).map((g) => g.binding)).toEqual([{ kind: "accountRole", accountId: seeded.accountId, role: "developer" }]);
  });

  it("keeps the audit log as imported history: every event, marked with when and from where, and apart from the live log", async () => {
    const source = t.open("a.db");
    const seeded = await seedOrganization(source);
    const target = t.open("b.db");
    await importLines(target, clock, seeded.org.id, exportLines(source, clock, seeded.org.id, { audit: true }), { source: "acme.ndjson" });
    const sourceEvents = await source.audit.list(seeded.org.id, { limit: 10_000 });
    const history = await target.audit.list(seeded.org.id, { limit: 10_000, imported: true });
    expect(history).toEqual(sourceEvents.map((e) => ({ ...e, imported: { at: "2026-03-01T12:00:00.000Z", from: "acme.ndjson" } })));
    const live = await target.audit.list(seeded.org.id, { limit: 10_000, imported: false });
    expect(new Set(live.map((e) => e.action))).toEqual(new Set(["organization.import"]));
  });
});

describe("import is idempotent", () => {
  it("leaves the same state when the same file is imported twice, and reports every line unchanged the second time", async () => {
    const source = t.open("a.db");
    const seeded = await seedOrganization(source);
    const file = await collect(exportLines(source, clock, seeded.org.id, { tokens: true, audit: true }));
    const target = t.open("b.db");
    await importLines(target, clock, seeded.org.id, linesOf(file));
    const once = await collect(exportLines(target, clock, seeded.org.id, { tokens: true }));
    const { report } = await importLines(target, clock, seeded.org.id, linesOf(file));
    const twice = await collect(exportLines(target, clock, seeded.org.id, { tokens: true }));
    expect(twice).toEqual(once);
    expect(report.errors).toEqual([]);
    for (const [type, c] of Object.entries(report.counts)) expect([type, c.created + c.updated + c.failed]).toEqual([type, 0]);
  });

  it("matches users by userName and groups by displayName when ids do not match, and updates only what differs", async () => {
    const store = t.open("a.db");
    const org = await newOrg(store, "Target", { domainEnforcement: false });
    const fileOrg = "OR11111111111111111111111111111111";
    const file = (displayName: string) => [
      header(fileOrg),
      userLine("US11111111111111111111111111111111", "kim@x.test", { displayName }),
      userLine("US22222222222222222222222222222222", "lee@x.test"),
      JSON.stringify({ type: "group", resource: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], id: "GP33333333333333333333333333333333", displayName: "Team", members: [{ value: "US11111111111111111111111111111111" }, { value: "US22222222222222222222222222222222" }] } }),
    ];
    const first = await importLines(store, clock, org.id, linesOf(file("Kim")));
    expect(first.report.counts).toMatchObject({ user: { created: 2 }, group: { created: 1 } });
    const kim = await store.users.findByUserName(org.id, "KIM@x.test");
    // Imported into another organization, records get ids of their own.
    expect(kim!.id).not.toBe("US11111111111111111111111111111111");
    const second = await importLines(store, clock, org.id, linesOf(file("Kim K")));
    expect(second.report.counts).toMatchObject({ user: { updated: 1, unchanged: 1, created: 0 }, group: { unchanged: 1, created: 0 } });
    expect((await store.users.get(org.id, kim!.id))!).toMatchObject({ displayName: "Kim K", version: 2 });
    const members = await store.groups.listMembers(org.id, (await store.groups.findByDisplayName(org.id, "team"))!.id, 10);
    expect(members.map((m) => m.display).sort()).toEqual(["Kim K", "lee@x.test"]);
  });
});

describe("import into another organization", () => {
  it("gives records new ids, makes domains pending, and skips the organization, invitations, tokens and audit events", async () => {
    const source = t.open("a.db");
    const seeded = await seedOrganization(source);
    const file = await collect(exportLines(source, clock, seeded.org.id, { tokens: true, audit: true }));
    const target = t.open("b.db");
    const other = await newOrg(target, "Elsewhere");
    const { report } = await importLines(target, clock, other.id, linesOf(file));
    expect(report.errors).toEqual([]);
    expect(report.counts).toMatchObject({
      organization: { skipped: 1 }, invitation: { skipped: 2 }, token: { skipped: 1 },
      user: { created: 6 }, account: { created: 2 }, domain: { created: 1 },
    });
    expect(report.counts.audit!.skipped).toBeGreaterThan(0);
    expect((await target.domains.list(other.id))[0]).toMatchObject({ name: "acme.test", state: "pending", verifiedAt: null });
    const ada = await target.users.findByUserName(other.id, "ada@acme.test");
    expect(ada!.id).not.toBe(seeded.userIds[0]);
    const [account, closed] = (await target.accounts.list(other.id, { offset: 0, limit: 10 })).items;
    expect(closed).toMatchObject({ name: "Legacy", status: "closed" });
    expect(await target.groups.get(other.id, accountRoleGroupId(closed!.id, "support"))).toBeNull();
    expect(account).toMatchObject({ name: "Production", ownerId: (await target.users.findByUserName(other.id, "boss@acme.test"))!.id });
    const bound = await target.groups.findByDisplayName(other.id, "Prod support");
    expect(bound!.binding).toEqual({ kind: "accountRole", accountId: account!.id, role: "support" });
    const again = await importLines(target, clock, other.id, linesOf(file));
    expect(again.report.counts.user).toMatchObject({ created: 0, unchanged: 6 });
    expect(again.report.counts.account).toMatchObject({ created: 0, unchanged: 2 });
  });
});

describe("failing lines", () => {
  it("are reported with their line number and reason; nothing of them is applied, and the other lines are", async () => {
    const store = t.open("a.db");
    const orgId = "OR22222222222222222222222222222222";
    const lines = [
      header(orgId),
      JSON.stringify({ type: "organization", id: orgId, name: "Restored", settings: { domainEnforcement: false }, created: "2025-01-01T00:00:00.000Z", lastModified: "2025-01-01T00:00:00.000Z" }),
      userLine("US00000000000000000000000000000001", "one@x.test"),
      userLine("US00000000000000000000000000000002", "two@x.test", { emails: [{ value: "a@x.test", primary: true }, { value: "b@x.test", primary: true }] }),
      "{not json",
      userLine("US00000000000000000000000000000004", "four@x.test"),
      JSON.stringify({ type: "roleAssignment", id: "IY1" }),
      userLine("US00000000000000000000000000000001", "FOUR@x.test"), // its id is one@'s, its userName four@'s
      JSON.stringify({ type: "group", resource: { displayName: "G", members: [{ value: "US0000000000000000000000000000dead" }] } }),
      JSON.stringify({ type: "user", resource: { userName: "" } }),
      userLine(null, "ten@x.test"),
    ];
    const { report } = await importLines(store, clock, orgId, linesOf(lines), { batchSize: 3 });
    expect(report.errors.map((e) => [e.line, e.type, e.code])).toEqual([
      [4, "user", 4005], [5, "unknown", 8101], [7, "unknown", 8101], [8, "user", 4002], [9, "group", 5003], [10, "user", 4004],
    ]);
    expect(report.errors[0]!.message).toContain("several as primary");
    expect(report.errors[3]!.message).toContain("FOUR@x.test");
    expect(report.errors[5]!.message).toContain("userName");
    expect(report.lines).toBe(10);
    expect((await store.orgs.get(orgId))!.name).toBe("Restored");
    const names = (await store.users.list(orgId, { startIndex: 1, count: 100 })).items.map((u) => u.userName);
    expect(names).toEqual(["one@x.test", "four@x.test", "ten@x.test"]);
    expect(await store.groups.findByDisplayName(orgId, "G")).toBeNull();
  });

  it("roll back alone when a write fails inside a batch: the batch is written again line by line", async () => {
    const store = t.open("a.db");
    const elsewhere = await newOrg(store, "Elsewhere", { domainEnforcement: false });
    const taken = aUser(elsewhere.id, { id: "US0000000000000000000000000000beef", userName: "someone@else.test" });
    await store.users.insert(taken);
    const orgId = "OR33333333333333333333333333333333";
    const lines = [
      header(orgId),
      JSON.stringify({ type: "organization", id: orgId, name: "R", settings: { domainEnforcement: false }, created: "2025-01-01T00:00:00.000Z", lastModified: "2025-01-01T00:00:00.000Z" }),
      userLine("US00000000000000000000000000000001", "first@x.test"),
      userLine(taken.id, "collides@x.test"), // the id is another organization's: the insert fails inside the transaction
      userLine("US00000000000000000000000000000003", "third@x.test"),
    ];
    const { report } = await importLines(store, clock, orgId, linesOf(lines));
    expect(report.errors).toEqual([{ line: 4, type: "user", code: 8102, message: expect.stringContaining("already has this id") }]);
    expect((await store.users.list(orgId, { startIndex: 1, count: 10 })).items.map((u) => u.userName)).toEqual(["first@x.test", "third@x.test"]);
    expect((await store.users.get(elsewhere.id, taken.id))!.userName).toBe("someone@else.test");
  });

  it("refuses a file without the export header, and an organization that is neither there nor the file's own", async () => {
    const store = t.open("a.db");
    await expect(importLines(store, clock, "ORx", linesOf([userLine(null, "a@x.test")]))).rejects.toThrow(/line 1: not an orgscim export/);
    await expect(importLines(store, clock, "OR44444444444444444444444444444444", linesOf([header("OR55555555555555555555555555555555")]))).rejects.toThrow(/--org OR55555555555555555555555555555555/);
  });

  it("refuses a managed user whose primary email another organization manages", async () => {
    const store = t.open("a.db");
    const a = await newOrg(store, "A", { domainEnforcement: false });
    await store.users.insert(aUser(a.id, { userName: "shared@x.test" }));
    const b = await newOrg(store, "B", { domainEnforcement: false });
    const { report } = await importLines(store, clock, b.id, linesOf([header(a.id), userLine(null, "shared@x.test"), userLine(null, "pending@x.test", { [ORG_EXT]: { status: "pending" } })]));
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([[2, 8102]]);
  });
});

describe("the commands", () => {
  const env = (db: string) => {
    process.env.DATABASE_URL = `sqlite:${db}`;
  };
  afterAll(() => {
    delete process.env.DATABASE_URL;
  });

  it("export --out writes the file; import reads it, prints a summary and answers 0", async () => {
    const source = t.open("a.db");
    const seeded = await seedOrganization(source);
    const file = t.path("org.ndjson");
    env(t.path("a.db"));
    const ex = await runCli(["export", "--org", seeded.org.id, "--out", file, "--tokens"], { tty: true });
    expect(ex.result).toBe(0);
    expect(ex.err).toContain(`Wrote 23 lines to ${file}`);
    expect(readFileSync(file, "utf8").trimEnd().split("\n")).toHaveLength(23);
    env(t.path("b.db"));
    const im = await runCli(["import", "--org", seeded.org.id, file], { tty: true });
    expect(im.result).toBe(0);
    expect(im.out).toMatch(/^23 lines in \d+\.\d s:/);
    expect(im.out).toContain("user          6 created");
    // No line refused; what the file could not grant is said (domains pending, tokens left out).
    expect(im.err).not.toMatch(/^line /m);
    expect(im.err).toContain("note: 1 domain the file has as verified arrived pending");
    expect(im.err).toContain("note: 1 API token was left out");
  });

  it("import answers 1 and names each failing line on stderr", async () => {
    const target = t.open("b.db");
    const org = await newOrg(target, "T", { domainEnforcement: false });
    const file = t.path("bad.ndjson");
    writeFileSync(file, [header("OR66666666666666666666666666666666"), userLine(null, "ok@x.test"), userLine(null, "")].join("\n"));
    env(t.path("b.db"));
    const im = await runCli(["import", "--org", org.id, file], { tty: true });
    expect(im.result).toBe(1);
    expect(im.err).toContain("line 3 (user): userName is required");
    expect(im.out).toContain("1 failed (nothing of a failed line was applied)");
  });

  it("imports 5,000 users in several batches, then finds them all unchanged", async () => {
    const store = t.open("a.db");
    const org = await newOrg(store, "Big", { domainEnforcement: false });
    const lines = [header("OR77777777777777777777777777777777"), ...Array.from({ length: 5000 }, (_, i) => userLine(null, `u${i}@big.test`))];
    const first = await importLines(store, clock, org.id, linesOf(lines), { batchSize: 2000 });
    expect(first.report.counts.user).toMatchObject({ created: 5000, failed: 0 });
    expect((await store.users.list(org.id, { startIndex: 1, count: 1 })).total).toBe(5000);
    expect(await store.groups.countMembers(org.id, `GP${org.id.slice(2, 32)}03`)).toBe(5000);
    const imports = (await store.audit.list(org.id, { limit: 100, action: "organization.import" }));
    expect(imports).toHaveLength(3);
    const second = await importLines(store, clock, org.id, linesOf(lines), { batchSize: 2000 });
    expect(second.report.counts.user).toMatchObject({ created: 0, unchanged: 5000 });
  });
});
