/**
 * Every state round-trips (issue 15): generated organizations, built through the domain's use
 * cases (the ones /v1 and SCIM call) with random mixes of users created, suspended, reactivated,
 * removed, deleted and revived, org roles changed, invitations to the organization and to accounts
 * (accepted, revoked, left to expire), independent users, accounts opened and closed, roles granted
 * and revoked, groups with members and bindings, domains in each state, settings changed, tokens
 * made and revoked. Each organization is then
 *
 *   1. migrated into another store (`migrate`'s own code: migrateStores + its verdict): the verdict
 *      must be OK, the target's whole export (tokens and audit log) equal to the source's;
 *   2. exported to a file and imported into an empty store as a file (with --tokens and DNS showing
 *      every domain's token), then exported again: the same lines, apart from the header's time and
 *      a re-verified domain's verifiedAt (docs: README, Export).
 *
 * What it found (each fixed, each a counterexample fast-check shrank): a closed account whose
 * owner left since was refused on import; a member whose invitation was revoked goes back to
 * independent and stays in their groups, which the import refused; group members came back in
 * another order (the store orders them by insertion). Not generated: an Owner user (SCIM and /v1
 * make none; ownership transfer needs one first) and removed domains (no store list shows them,
 * so no export has them). Stores: SQLite to SQLite (no mongod runs here).
 *
 * PORTABILITY_RUNS sets the number of organizations (50 by default; `PORTABILITY_RUNS=500 npx jest
 * test/cli/round-trip` for a larger run). The states the runs reached are printed and checked: a
 * generator that stopped reaching one fails the test.
 */
import fc from "fast-check";
import { exportLines } from "../../src/cli/export";
import { importLines } from "../../src/cli/import";
import { migrateStores } from "../../src/cli/migrate";
import { closeAccount, createAccount, grantRole, listAssignments, revokeRole } from "../../src/domain/accounts";
import type { Clock } from "../../src/domain/clock";
import { addDomain, removeDomain } from "../../src/domain/domains";
import { DomainError } from "../../src/domain/errors";
import { createGroup, deleteGroup } from "../../src/domain/groups";
import { acceptInvitation, inviteToAccount, inviteToOrganization, revokeInvitation } from "../../src/domain/invitations";
import { updateOrganization } from "../../src/domain/orgs";
import type { Store } from "../../src/domain/ports/store";
import { authenticate, createToken, issueToken, revokeToken } from "../../src/domain/tokens";
import type { Actor } from "../../src/domain/actor";
import type { AccountRole, Organization } from "../../src/domain/types";
import { endMembership } from "../../src/domain/user-removal";
import { createUser, modifyUser } from "../../src/domain/users";
import { userInputOf } from "../../src/scim/resource-inputs";
import { ORG_EXT, userBody } from "../helpers/server";
import { collect, linesOf, newOrg, tempStores, type TempStores } from "./seed";

const RUNS = Number(process.env.PORTABILITY_RUNS ?? 50);

let t: TempStores;
let source: Store;
let migrated: Store;
let imported: Store;
beforeAll(() => {
  t = tempStores();
  source = t.open("source.db");
  migrated = t.open("migrated.db");
  imported = t.open("imported.db");
});
afterAll(() => t.close());

/** A clock the generated history moves forward (so invitations expire). */
let nowMs = Date.parse("2026-01-01T00:00:00.000Z");
const clock: Clock = { now: () => new Date(nowMs) };

const NAMES = ["ann", "ben", "cy", "dee", "eli", "fay"] as const;
const ROLES: AccountRole[] = ["administrator", "billing_manager", "developer", "support"];

type Action =
  | { kind: "user"; name: number; role: "standard" | "administrator"; active: boolean }
  | { kind: "active"; user: number; active: boolean }
  | { kind: "orgRole"; user: number; role: "standard" | "administrator" }
  | { kind: "end"; user: number; mode: "remove" | "delete" }
  | { kind: "inviteOrg"; name: number; role: "standard" | "administrator" }
  | { kind: "inviteAccount"; account: number; name: number; outside: boolean; roles: number[]; accept: boolean }
  | { kind: "revokeInvitation"; invitation: number }
  | { kind: "account"; owner: number }
  | { kind: "close"; account: number }
  | { kind: "grant"; account: number; user: number; role: number }
  | { kind: "revoke"; assignment: number }
  | { kind: "group"; members: number[]; bindTo: number | null; role: number }
  | { kind: "deleteGroup"; group: number }
  | { kind: "domain"; name: number; state: "pending" | "verified" | "revalidating" | "removed" }
  | { kind: "settings"; deprovision: "remove" | "delete"; roleGroups: boolean }
  | { kind: "token"; user: number | null; admin: boolean }
  | { kind: "revokeToken"; token: number }
  | { kind: "time"; days: number };

const pick = fc.nat({ max: 50 });
const role = fc.constantFrom<"standard" | "administrator">("standard", "administrator");
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("user" as const), name: fc.nat({ max: NAMES.length - 1 }), role, active: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("active" as const), user: pick, active: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("orgRole" as const), user: pick, role }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("end" as const), user: pick, mode: fc.constantFrom<"remove" | "delete">("remove", "delete") }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("inviteOrg" as const), name: fc.nat({ max: NAMES.length - 1 }), role }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("inviteAccount" as const), account: pick, name: fc.nat({ max: NAMES.length - 1 }), outside: fc.boolean(), roles: fc.uniqueArray(fc.nat({ max: 3 }), { minLength: 1, maxLength: 2 }), accept: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("revokeInvitation" as const), invitation: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("account" as const), owner: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("close" as const), account: pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("grant" as const), account: pick, user: pick, role: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("revoke" as const), assignment: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("group" as const), members: fc.array(pick, { maxLength: 4 }), bindTo: fc.option(pick), role: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteGroup" as const), group: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("domain" as const), name: fc.nat({ max: 2 }), state: fc.constantFrom<"pending" | "verified" | "revalidating" | "removed">("pending", "verified", "revalidating", "removed") }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("settings" as const), deprovision: fc.constantFrom<"remove" | "delete">("remove", "delete"), roleGroups: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("token" as const), user: fc.option(pick), admin: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("revokeToken" as const), token: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("time" as const), days: fc.integer({ min: 1, max: 10 }) }) },
);

const at = <T>(list: readonly T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);

let run = 0;
const refusals: Record<string, number> = {};

/** Builds one organization from the actions; a refused action (a rule said no) leaves nothing, as through the API. */
async function build(actions: Action[]): Promise<Organization> {
  run += 1;
  const domain = `r${run}-${Date.now().toString(36)}.test`;
  let org = await newOrg(source, `Gen ${run}`, { domainEnforcement: true }, clock);
  const deps = { store: source, clock };
  // An admin token the operator made (as `orgscim tokens create` does): every action is a request made with it.
  const admin = await issueToken(source, clock, { orgId: org.id, name: "admin", scopes: ["admin", "scim"] });
  // The actor as src/http/auth.ts makes it from the bearer token, re-read each time (settings change).
  const actor = async (): Promise<Actor> => {
    const a = await authenticate(source, admin.plaintext);
    if (!a) throw new Error("the admin token stopped working");
    return { org: a.org, tokenId: a.token.id, scopes: a.token.scopes, userId: a.token.userId, principal: a.principal };
  };
  // The organization's own domain, verified (what POST /v1/Domains/{sid}/Verify gives once DNS shows the token).
  const own = await addDomain(deps, await actor(), domain);
  await source.domains.update({ ...own, state: "verified", verifiedAt: clock.now().toISOString() });
  const mails: string[] = [];
  for (const a of actions) {
    const users = (await source.users.list(org.id, { startIndex: 1, count: 200 })).items;
    const managed = users.filter((u) => u.status === "managed");
    const accounts = (await source.accounts.list(org.id, { offset: 0, limit: 100 })).items;
    const open = accounts.filter((x) => x.status === "active");
    try {
      switch (a.kind) {
        case "user":
          await createUser(deps, await actor(), userInputOf(userBody(`${NAMES[a.name]}@${domain}`, { active: a.active, [ORG_EXT]: { orgRole: a.role } }), "compatible"));
          break;
        case "active": {
          const u = at(managed, a.user);
          if (u) await modifyUser(deps, await actor(), u.id, undefined, (cur) => ({ data: { ...cur.data, active: a.active } }));
          break;
        }
        case "orgRole": {
          const u = at(managed, a.user);
          if (u) await modifyUser(deps, await actor(), u.id, undefined, (cur) => ({ data: cur.data, orgRole: a.role }));
          break;
        }
        case "end": {
          const u = at(users, a.user);
          if (u) await endMembership(deps, await actor(), u.id, { mode: a.mode, protectOwner: true });
          break;
        }
        case "inviteOrg":
          await inviteToOrganization(deps, await actor(), { email: `${NAMES[a.name]}.inv@${domain}`, orgRole: a.role });
          break;
        case "inviteAccount": {
          const account = at(open, a.account);
          if (!account) break;
          const email = a.outside ? `${NAMES[a.name]}@partner-${domain}` : `${NAMES[a.name]}@${domain}`;
          const out = await inviteToAccount(deps, await actor(), account.id, { email, roles: a.roles.map((r) => ROLES[r]!) });
          if (out.outcome === "invited" && a.accept) await acceptInvitation(deps, /oiv_[A-Za-z0-9_-]+/.exec(out.mail.text ?? "")![0]);
          break;
        }
        case "revokeInvitation": {
          const invitations = (await source.invitations.list(org.id, { offset: 0, limit: 100, now: clock.now().toISOString() })).items;
          const inv = at(invitations, a.invitation);
          if (inv) await revokeInvitation(deps, await actor(), inv.id);
          break;
        }
        case "account": {
          const owner = at(managed, a.owner);
          await createAccount(deps, await actor(), { name: `Account ${accounts.length + 1}`, ...(owner ? { ownerId: owner.id } : {}) });
          break;
        }
        case "close": {
          const account = at(open, a.account);
          if (account) await closeAccount(deps, await actor(), account.id);
          break;
        }
        case "grant": {
          const account = at(open, a.account);
          const u = at(users, a.user);
          if (account && u) await grantRole(deps, await actor(), { accountId: account.id, userId: u.id, role: ROLES[a.role]! });
          break;
        }
        case "revoke": {
          const account = at(accounts, a.assignment);
          const assignments = account ? await listAssignments(deps, await actor(), { accountId: account.id }) : [];
          const x = at(assignments, a.assignment);
          if (x) await revokeRole(deps, await actor(), x.sid);
          break;
        }
        case "group": {
          const members = [...new Set(a.members.map((i) => at(users, i)?.id).filter((id): id is string => id !== undefined))];
          const account = a.bindTo === null ? undefined : at(open, a.bindTo);
          await createGroup(deps, await actor(), {
            data: { displayName: `Group ${run}-${mails.length}-${members.length}-${Math.random().toString(36).slice(2, 6)}` }, members,
            ...(account ? { binding: { kind: "accountRole", accountId: account.id, role: ROLES[a.role]! } } : {}),
          });
          mails.push("g");
          break;
        }
        case "deleteGroup": {
          const groups = (await source.groups.list(org.id, { startIndex: 1, count: 100 })).items.filter((g) => !g.builtin);
          const g = at(groups, a.group);
          if (g) await deleteGroup(deps, await actor(), g.id);
          break;
        }
        case "domain": {
          const name = `d${a.name}.${domain}`;
          const existing = (await source.domains.list(org.id)).find((d) => d.name === name && d.state !== "removed");
          const d = existing ?? (await addDomain(deps, await actor(), name));
          if (a.state === "removed") await removeDomain(deps, await actor(), d.id);
          else if (a.state === "verified") await source.domains.update({ ...d, state: "verified", verifiedAt: clock.now().toISOString(), revalidatingSince: null });
          else if (a.state === "revalidating") await source.domains.update({ ...d, state: "revalidating", verifiedAt: d.verifiedAt ?? clock.now().toISOString(), revalidatingSince: clock.now().toISOString() });
          break;
        }
        case "settings":
          org = await updateOrganization(deps, await actor(), { deprovision: a.deprovision, exposeRoleGroups: a.roleGroups });
          break;
        case "token": {
          const u = a.user === null ? undefined : at(managed, a.user);
          await createToken(deps, await actor(), { name: `t${run}`, scopes: a.admin ? ["admin", "scim"] : ["scim"], userId: u?.id ?? null });
          break;
        }
        case "revokeToken": {
          const tk = at((await source.tokens.list(org.id)).filter((x) => !x.revoked && x.id !== admin.token.id), a.token);
          if (tk) await revokeToken(deps, await actor(), tk.id);
          break;
        }
        case "time":
          nowMs += a.days * 86_400_000;
          break;
      }
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      refusals[`${a.kind} ${e.code}`] = (refusals[`${a.kind} ${e.code}`] ?? 0) + 1;
    }
  }
  return org;
}

type Line = Record<string, unknown>;
const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Line);

/** The states an export holds, for the coverage the runs reached. */
function statesOf(lines: Line[], seen: Set<string>): void {
  for (const l of lines) {
    if (l.type === "user") {
      const r = l.resource as Record<string, unknown>;
      const ext = (r[ORG_EXT] ?? {}) as { status?: string; orgRole?: string | null };
      seen.add(`user ${ext.status ?? "?"}${r.active === false ? " suspended" : ""}`);
      if (ext.orgRole) seen.add(`org role ${ext.orgRole}`);
    } else if (l.type === "account") seen.add(`account ${String(l.status)}`);
    else if (l.type === "domain") seen.add(`domain ${String(l.state)}`);
    else if (l.type === "invitation") {
      const state = l.revokedAt ? "revoked" : l.acceptedAt ? "accepted" : Date.parse(String(l.expires)) <= nowMs ? "expired" : "pending";
      seen.add(`invitation ${String(l.kind)} ${state}`);
    } else if (l.type === "token") seen.add(`token ${l.revoked ? "revoked" : "active"}${l.userId ? " for a user" : ""}`);
    else if (l.type === "group") {
      const ext = ((l.resource as Record<string, unknown>)["urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group"] ?? {}) as { builtin?: boolean };
      const members = ((l.resource as { members?: unknown[] }).members ?? []).length;
      if (!ext.builtin && members > 0) seen.add("group with members");
    } else if (l.type === "organization") seen.add(`settings deprovision ${String((l.settings as { deprovision: string }).deprovision)}`);
  }
}

const EXPECTED_STATES = [
  "user managed", "user managed suspended", "user pending", "user independent", "org role administrator", "org role standard",
  "account active", "account closed", "domain pending", "domain verified", "domain revalidating",
  "invitation organization pending", "invitation organization expired", "invitation organization revoked", "invitation account accepted", "token active", "token revoked",
  "group with members", "settings deprovision delete",
];

describe("every state round-trips", () => {
  it(`through migrate and through a file, for ${RUNS} generated organizations`, async () => {
    const seen = new Set<string>();
    let lines = 0;
    const property = fc.asyncProperty(fc.array(action, { minLength: 8, maxLength: 40 }), async (actions) => {
      const org = await build(actions);
      const original = await collect(exportLines(source, clock, org.id, { tokens: true, audit: true }));
      statesOf(parse(original), seen);
      lines += original.length;

      // 1. migrate: one verdict, OK, the whole export equal (src/cli/migrate.ts verifyOrganization).
      let log = "";
      const m = await migrateStores(source, migrated, clock, { orgs: [org.id], log: (x) => void (log += x) });
      expect([m.failedLines, m.failedLines > 0 ? log : ""]).toEqual([0, ""]);
      expect(m.checks.map((c) => [c.ok, c.kinds.filter((k) => k.missing.length + k.extra.length + k.different.length > 0)])).toEqual([[true, []]]);

      // 2. a file, imported as a file (tokens asked for, every domain's DNS token showing), exported again.
      const file = await collect(exportLines(source, clock, org.id, { tokens: true }));
      const { report } = await importLines(imported, clock, org.id, linesOf(file), { tokens: true, verifyDomain: async () => true, source: "gen.ndjson" });
      expect(report.errors).toEqual([]);
      const again = parse(await collect(exportLines(imported, clock, org.id, { tokens: true })));
      const before = parse(file);
      // A re-verified domain is verified now: its verifiedAt (and a revalidating one's state) is DNS's answer of today.
      const reverified = (l: Line) => (l.type === "domain" && (l.state === "verified" || l.state === "revalidating") ? { ...l, state: "verified", verifiedAt: null, revalidatingSince: null } : l);
      expect(again.slice(1).map(reverified)).toEqual(before.slice(1).map(reverified));
    });
    // Random organizations reach every state in most runs of RUNS, not all: a state still missing
    // gets more rounds (up to 5), so the rule below fails only when the generator cannot reach it.
    let rounds = 0;
    do {
      await fc.assert(property, { numRuns: RUNS });
      rounds++;
    } while (rounds < 5 && EXPECTED_STATES.some((x) => !seen.has(x)));
    console.info(`round trip: ${RUNS * rounds} generated organizations in ${rounds} round(s), ${lines} export lines; states reached: ${[...seen].sort().join(", ")}; refusals met while building: ${JSON.stringify(refusals)}`);
    expect(EXPECTED_STATES.filter((s) => !seen.has(s))).toEqual([]);
  }, 120_000 + 5 * RUNS * 6_000);
});
