/**
 * What every invitation use case writes, record for record, on a real SQLite store: the members,
 * the invitations, the mails queued (subject and text) and the audit events (before and after), for
 * each way in (to the organization or an account; a new address, an independent member, a managed
 * one), and for resend, revoke, accept, password reset and the members list. Compared with
 * test/fixtures/invitation-writes.json, recorded before src/domain/invitations.ts was split by
 * concern and its create-invitation transaction written once, so that refactor could not change a
 * field; the rules below say what the recording means. Ids are replaced by their kind and order of
 * first appearance (records sorted without their ids), tokens by <token>, hashes by <hash>; the clock
 * moves one minute per step, so times are fixed too.
 *
 * To re-record after a deliberate change: `INVITATION_WRITES_RECORD=1 npx jest
 * test/domain/invitations-writes.test.ts`, and say in the commit what changed and why.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Actor } from "../../src/domain/actor";
import { createAccount } from "../../src/domain/accounts";
import type { Clock } from "../../src/domain/clock";
import { DomainError } from "../../src/domain/errors";
import { newId } from "../../src/domain/ids";
import {
  acceptInvitation, getInvitation, inviteToAccount, inviteToOrganization, listInvitations, listMembers, requirePasswordReset, resendInvitation,
  revokeInvitation,
} from "../../src/domain/invitations";
import { createOrganization } from "../../src/domain/orgs";
import type { Store } from "../../src/domain/ports/store";
import { issueToken } from "../../src/domain/tokens";
import type { Organization } from "../../src/domain/types";
import { createUser } from "../../src/domain/users";
import { openStore } from "../../src/store/open";

const GOLDEN = join(__dirname, "..", "fixtures", "invitation-writes.json");
const RECORD = process.env.INVITATION_WRITES_RECORD === "1";

let step = 0;
const clock: Clock = { now: () => new Date(Date.UTC(2026, 0, 1, 0, step)) };
const tick = () => { step += 1; };

let dir: string;
let store: Store;
let org: Organization;
let actor: Actor;
let deps: { store: Store; clock: Clock; publicUrl: string; invitationTtlHours: number };
const tokens: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-invitations-"));
  store = await openStore(`sqlite:${join(dir, "test.db")}`, { durability: "normal" });
  org = await createOrganization(store, clock, { name: "Acme", settings: {} });
  const now = clock.now().toISOString();
  await store.domains.insert({ id: newId("DM"), orgId: org.id, name: "acme.test", state: "verified", challenge: "orgscim-domain-verification=x", created: now, verifiedAt: now, revalidatingSince: null });
  const issued = await issueToken(store, clock, { orgId: org.id, name: "admin", scopes: ["admin", "scim"] });
  actor = { org, tokenId: issued.token.id, scopes: ["admin", "scim"], userId: null };
  deps = { store, clock, publicUrl: "https://orgscim.example", invitationTtlHours: 24 };
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The mail's token, remembered so it can be accepted, and masked in the recording. */
function tokenOf(text: string): string {
  const t = /oiv_[A-Za-z0-9_-]+/.exec(text)?.[0];
  if (!t) throw new Error("no token in the mail");
  tokens.push(t);
  return t;
}

const ID = /\b(US|IV|EM|AE|TK|OR|AC|GP|DM)[0-9a-f]{32}\b/g;

const errorOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return "no error";
  } catch (e) {
    if (e instanceof DomainError) return `${e.code} ${e.kind}: ${e.message}`.replace(ID, (_id, kind: string) => `<${kind}>`);
    throw e;
  }
};

/** Everything of the organization the use cases write, sorted without ids, ids then numbered. */
async function state(): Promise<unknown> {
  const users = (await store.users.listByStatus(org.id, { offset: 0, limit: 100 })).items;
  const invitations = (await store.invitations.list(org.id, { now: clock.now().toISOString(), offset: 0, limit: 100 })).items;
  const mails = await store.outbox.list({ orgId: org.id, limit: 100 });
  const audit = await store.audit.list(org.id, { limit: 200 });
  const groups = [];
  for (const u of users) groups.push({ user: u.id, groups: (await store.groups.groupsOfUser(org.id, u.id)).sort((a, b) => (masked(a) < masked(b) ? -1 : 1)) });
  return normalize({ users, invitations, mails, audit, groups });
}

/** A record's JSON without its ids, tokens and hashes: what records are sorted by. */
const masked = (v: unknown) => JSON.stringify(v).replace(ID, "<id>").replace(/oiv_[A-Za-z0-9_-]+/g, "<token>").replace(/"[0-9a-f]{64}"/g, "\"<hash>\"");

function normalize(value: { [k: string]: unknown[] }): unknown {
  const sorted: Record<string, unknown[]> = {};
  for (const [k, list] of Object.entries(value)) sorted[k] = [...list].sort((a, b) => (masked(a) < masked(b) ? -1 : masked(a) > masked(b) ? 1 : 0));
  const names = new Map<string, string>();
  const counts = new Map<string, number>();
  const text = JSON.stringify(sorted).replace(ID, (id, kind: string) => {
    if (!names.has(id)) { counts.set(kind, (counts.get(kind) ?? 0) + 1); names.set(id, `<${kind}${counts.get(kind)}>`); }
    return names.get(id)!;
  }).replace(/oiv_[A-Za-z0-9_-]+/g, "<token>").replace(/"[0-9a-f]{64}"/g, "\"<hash>\"");
  return JSON.parse(text);
}

const recorded: Record<string, unknown> = {};

describe("invitation use cases write what they wrote before the split", () => {
  beforeAll(async () => {
    const managed = (await createUser(deps, actor, { data: { userName: "mia@acme.test", emails: [{ value: "mia@acme.test", primary: true }] } })).user;
    tick();
    const account = await createAccount(deps, actor, { name: "Prod", ownerId: managed.id });
    tick();
    recorded.setup = await state();

    // To the organization: a new address, as Administrator.
    tick();
    const a = await inviteToOrganization(deps, actor, { email: "Ann@acme.test", orgRole: "administrator" });
    tokenOf(a.mail.text ?? "");
    recorded.orgNew = { outcome: normalize({ o: [a] }), state: await state() };

    // Refusals: a managed member; a second live invitation; an unverified domain under enforcement (the default).
    tick();
    recorded.refusals = {
      managed: await errorOf(inviteToOrganization(deps, actor, { email: "mia@acme.test", orgRole: "standard" })),
      outstanding: await errorOf(inviteToOrganization(deps, actor, { email: "ann@acme.test", orgRole: "standard" })),
      unverified: await errorOf(inviteToOrganization(deps, actor, { email: "x@partner.example", orgRole: "standard" })),
      badEmail: await errorOf(inviteToOrganization(deps, actor, { email: "not an email", orgRole: "standard" })),
      noRoles: await errorOf(inviteToAccount(deps, actor, account.id, { email: "x@partner.example", roles: [] })),
    };

    // To an account: a new address (becomes an independent member).
    tick();
    const c = await inviteToAccount(deps, actor, account.id, { email: "carol@acme.test", roles: ["developer", "support"] });
    if (c.outcome !== "invited") throw new Error("expected an invitation");
    const carolToken = tokenOf(c.mail.text ?? "");
    recorded.accountNew = { outcome: normalize({ o: [c] }), state: await state() };
    recorded.refusals = { ...(recorded.refusals as object), accountOutstanding: await errorOf(inviteToAccount(deps, actor, account.id, { email: "carol@acme.test", roles: ["support"] })) };

    // To an account: a pending member (Ann, invited to the organization) stays as she is.
    tick();
    const ap = await inviteToAccount(deps, actor, account.id, { email: "ann@acme.test", roles: ["support"] });
    recorded.accountPending = { outcome: normalize({ o: [ap] }), state: await state() };

    // To an account: a managed member gets the roles at once.
    tick();
    const m = await inviteToAccount(deps, actor, account.id, { email: "MIA@acme.test", roles: ["billing_manager"] });
    recorded.accountManaged = { outcome: normalize({ o: [m] }), state: await state() };

    // Carol accepts: the roles; then she is invited to the organization (an independent member becomes pending).
    tick();
    const acc = await acceptInvitation(deps, carolToken);
    recorded.accountAccepted = { outcome: normalize({ o: [acc] }), state: await state() };
    tick();
    const co = await inviteToOrganization(deps, actor, { email: "carol@acme.test", orgRole: "standard" });
    tokenOf(co.mail.text ?? "");
    recorded.orgIndependent = { outcome: normalize({ o: [co] }), state: await state() };

    // Resend, then revoke: she is independent again, keeping her account roles.
    tick();
    const rs = await resendInvitation(deps, actor, co.invitation.id);
    const resentToken = tokenOf(rs.mail.text ?? "");
    recorded.resent = { outcome: normalize({ o: [rs] }), state: await state() };
    tick();
    const rv = await revokeInvitation(deps, actor, co.invitation.id);
    recorded.revoked = { outcome: normalize({ o: [rv] }), state: await state(), acceptRevoked: await errorOf(acceptInvitation(deps, resentToken)) };
    recorded.revokedAgain = normalize({ o: [await revokeInvitation(deps, actor, co.invitation.id)] });

    // A new address invited to an account, resent, accepted with the new token (the old one fails).
    tick();
    const d = await inviteToAccount(deps, actor, account.id, { email: "dan@elsewhere.example", roles: ["administrator"] });
    if (d.outcome !== "invited") throw new Error("expected an invitation");
    const oldToken = tokenOf(d.mail.text ?? "");
    tick();
    const dr = await resendInvitation(deps, actor, d.invitation.id);
    const newToken = tokenOf(dr.mail.text ?? "");
    tick();
    recorded.oldToken = await errorOf(acceptInvitation(deps, oldToken));
    recorded.danAccepted = { outcome: normalize({ o: [await acceptInvitation(deps, newToken)] }), state: await state() };

    // Ann accepts: managed, Administrator; twice is refused.
    tick();
    recorded.orgAccepted = { outcome: normalize({ o: [await acceptInvitation(deps, tokens[0]!)] }), state: await state(), again: await errorOf(acceptInvitation(deps, tokens[0]!)) };

    // An expired invitation.
    tick();
    const e = await inviteToOrganization(deps, actor, { email: "eve@acme.test", orgRole: "standard" });
    const eveToken = tokenOf(e.mail.text ?? "");
    step += 24 * 60 + 1;
    recorded.expired = { accept: await errorOf(acceptInvitation(deps, eveToken)), state: await state() };

    // Reads, and a password reset.
    tick();
    recorded.reads = normalize({
      get: [await getInvitation(deps, actor, e.invitation.id)],
      list: [await listInvitations(deps, actor, { offset: 0 as never, limit: 10 })],
      pending: [await listInvitations(deps, actor, { state: "pending", offset: 0 as never, limit: 10 })],
      members: [await listMembers(deps, actor, { status: "independent", offset: 0 as never, limit: 10 })],
      search: [await listMembers(deps, actor, { search: " ANN", offset: 0 as never, limit: 10 })],
    });
    tick();
    recorded.passwordReset = { outcome: normalize({ o: [await requirePasswordReset(deps, actor, managed.id)] }), state: await state() };
    recorded.passwordResetPending = await errorOf(requirePasswordReset(deps, actor, e.user.id));

    if (RECORD) writeFileSync(GOLDEN, `${JSON.stringify(recorded, null, 1)}\n`);
  });

  it("writes the same members, invitations, mails and audit events, step by step", () => {
    const golden = JSON.parse(readFileSync(GOLDEN, "utf8")) as Record<string, unknown>;
    expect(Object.keys(recorded)).toEqual(Object.keys(golden));
    for (const k of Object.keys(golden)) expect({ step: k, ...(recorded[k] as object) }).toEqual({ step: k, ...(golden[k] as object) });
  });

  it("records the sender, never a token: no plaintext token in any record but the mail's text", () => {
    const s = JSON.stringify(recorded);
    expect(s).not.toMatch(/oiv_/); // masked: the recording itself has none
    const carolInvite = (recorded.accountNew as { state: { invitations: Array<Record<string, unknown>> } }).state.invitations;
    for (const i of carolInvite) expect(i.invitedBy).toMatch(/^<TK\d+>$/);
  });

  it("refuses with the catalogue's errors: managed, outstanding, a bad address, no roles, a used, revoked, old or expired token", () => {
    const r = recorded.refusals as Record<string, string>;
    expect(r.managed).toMatch(/^6\d{3} conflict/);
    expect(r.outstanding).toMatch(/^6\d{3} conflict/);
    expect(r.accountOutstanding).toBe(r.outstanding!.replace("ann@acme.test", "carol@acme.test"));
    expect(r.badEmail).toMatch(/invalidValue/);
    expect(r.noRoles).toBe("1004 invalidValue: roles must name at least one account role.");
    expect((recorded.orgAccepted as { again: string }).again).toMatch(/accepted/i);
    expect((recorded.revoked as { acceptRevoked: string }).acceptRevoked).toMatch(/revoked/i);
    expect(recorded.oldToken).toMatch(/^6\d{3} /);
    expect((recorded.expired as { accept: string }).accept).toMatch(/expired/i);
  });
});
