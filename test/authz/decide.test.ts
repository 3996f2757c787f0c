/**
 * decide() against the table, for every column (the operator's too, which HTTP never reaches),
 * every action and every kind of target: a principal and a target built to be of that kind, and
 * the answer the table gives. Then the operator through the use cases themselves, in-process.
 */
import { operatorActor } from "../../src/domain/actor";
import { systemClock } from "../../src/domain/clock";
import { createOrganization } from "../../src/domain/orgs";
import { decide, targetKind } from "../../src/domain/policy/decide";
import { SUBJECTS, type Subject, type TargetKind } from "../../src/domain/policy/kinds";
import type { Principal } from "../../src/domain/policy/principal";
import { POLICY } from "../../src/domain/policy/table";
import type { Target } from "../../src/domain/policy/targets";
import { createUser } from "../../src/domain/users";
import { updateUserSettings } from "../../src/domain/user-admin";
import { startTestServer, type TestServer } from "../helpers/server";

const ME = "US" + "1".repeat(32);
const OTHER = "US" + "2".repeat(32);
const ACC = "AC" + "3".repeat(32);

function principalFor(subject: Subject): Principal {
  if (subject === "operator") return { kind: "operator", name: "test" };
  const idp = subject === "idp";
  return {
    kind: "token", tokenId: "TK" + "9".repeat(32), scopes: idp ? ["scim"] : ["scim", "admin"], userId: ME,
    level: idp ? "owner" : subject, accounts: new Map([[ACC, subject === "standard" ? ["administrator"] : []]]),
  };
}

/** A target of `kind` as `p` sees it; null when no target can be that kind for it. */
function targetFor(p: Principal, kind: TargetKind): Target | null {
  const mine = p.kind === "token";
  switch (kind) {
    case "organization": return { type: "organization", id: "OR" + "0".repeat(32) };
    case "group": return { type: "group", id: "GP" + "0".repeat(32) };
    case "self": return mine ? { type: "user", id: ME, role: "standard" } : null;
    case "standard": case "administrator": case "owner": return { type: "user", id: OTHER, role: kind };
    case "administered": return mine && p.accounts.get(ACC)?.includes("administrator") ? { type: "account", id: ACC, ownerId: OTHER, closed: false } : null;
    case "member": return mine ? { type: "account", id: "AC" + "4".repeat(32), ownerId: ME, closed: false } : null;
    case "other": return { type: "account", id: "AC" + "5".repeat(32), ownerId: OTHER, closed: false };
    case "orgInvitation": return { type: "invitation", id: "IV" + "0".repeat(32), account: null };
    case "newService": return { type: "newToken", userId: null, scopes: ["scim"] };
    case "newSelf": return mine ? { type: "newToken", userId: ME, scopes: ["scim"] } : null;
    case "newOtherUser": return { type: "newToken", userId: OTHER, scopes: ["scim"] };
    case "newWider": return mine && !p.scopes.includes("admin") ? { type: "newToken", userId: null, scopes: ["admin"] } : null;
    case "ownToken": return mine ? { type: "token", id: p.tokenId, userId: null, level: "owner" } : null;
    case "tokenStandard": return { type: "token", id: "TK" + "1".repeat(32), userId: OTHER, level: "standard" };
    case "tokenAdministrator": return { type: "token", id: "TK" + "2".repeat(32), userId: OTHER, level: "administrator" };
    case "tokenOwner": return { type: "token", id: "TK" + "3".repeat(32), userId: null, level: "owner" };
  }
}

describe("decide", () => {
  const cases = POLICY.flatMap((r) => SUBJECTS.flatMap((s) => r.targets.map((k) => [r.id, s, k] as const)));

  it("answers every column × action × kind of target as the table", () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [action, subject, kind] of cases) {
      const p = principalFor(subject);
      const t = targetFor(p, kind);
      if (!t) continue; // no such target for this column (e.g. the operator has no self)
      checked += 1;
      if (targetKind(p, t) !== kind) wrong.push(`${action} ${subject} ${kind}: seen as ${targetKind(p, t)}`);
      const rule = POLICY.find((r) => r.id === action)!;
      const want = subject === "idp"
        ? (rule.allow.owner ?? []).includes(kind) && (rule.allow.idp ?? []).includes(kind)
        : (rule.allow[subject] ?? []).includes(kind);
      const d = decide(p, action, t);
      if (d.allowed !== want) wrong.push(`${action} ${subject} ${kind}: ${d.allowed ? "allowed" : "refused"}`);
      if (!d.allowed && !/^Not allowed: /.test(d.reason)) wrong.push(`${action} ${subject} ${kind}: reason ${d.reason}`);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(400);
  });

  it("sees a closed account as any other account, for every column and every action aimed at accounts: it grants nothing until reopened", () => {
    // The principal owns ACC and holds Administrator on it (the standard column through a group an
    // identity provider bound to its roles, which outlives closing); the account is closed.
    const accountKinds = new Set<TargetKind>(["administered", "member", "other"]);
    const rules = POLICY.filter((r) => r.targets.some((k) => accountKinds.has(k)));
    const wrong: string[] = [];
    let checked = 0;
    for (const rule of rules) {
      for (const subject of SUBJECTS) {
        const p = principalFor(subject);
        if (p.kind === "token") p.accounts = new Map([[ACC, ["administrator"]]]);
        const closed: Target = { type: "account", id: ACC, ownerId: ME, closed: true };
        const invitation: Target = { type: "invitation", id: "IV" + "1".repeat(32), account: { id: ACC, ownerId: ME, closed: true } };
        for (const t of [closed, invitation]) {
          checked += 1;
          if (targetKind(p, t) !== "other") wrong.push(`${rule.id} ${subject} ${t.type}: seen as ${targetKind(p, t)}`);
          const open = { ...t, ...(t.type === "account" ? { closed: false } : { account: { id: ACC, ownerId: ME, closed: false } }) } as Target;
          if (p.kind === "token" && targetKind(p, open) !== "administered") wrong.push(`${rule.id} ${subject}: the same account open is ${targetKind(p, open)}`);
          const want = subject === "idp"
            ? (rule.allow.owner ?? []).includes("other") && (rule.allow.idp ?? []).includes("other")
            : (rule.allow[subject] ?? []).includes("other");
          if (decide(p, rule.id, t).allowed !== want) wrong.push(`${rule.id} ${subject} ${t.type}: ${want ? "refused" : "allowed"}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(rules.length).toBeGreaterThanOrEqual(13);
    expect(checked).toBe(rules.length * SUBJECTS.length * 2);
    // The standard column holds no right on "other": a Standard User is refused every one of them.
    expect(rules.filter((r) => (r.allow.standard ?? []).includes("other"))).toEqual([]);
  });

  it("refuses an action the table does not know, loudly", () => {
    expect(() => decide(principalFor("owner"), "user.teleport", { type: "organization", id: "OR" })).toThrow(/does not know/);
  });
});

describe("the operator, through the use cases", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(() => s.close());

  it("provisions and appoints the Owner, and the audit log names the operator", async () => {
    const deps = { store: s.running.store, clock: systemClock };
    const org = await createOrganization(s.running.store, systemClock, { name: "Op", settings: { domainEnforcement: false } });
    const op = operatorActor(org, "cli test");
    const { user } = await createUser(deps, op, { data: { userName: "op@acme.test" }, orgRole: "administrator" });
    await updateUserSettings(deps, op, user.id, { orgRole: "owner" });
    expect((await s.running.store.users.get(org.id, user.id))?.orgRole).toBe("owner");
    const actors = (await s.running.store.audit.list(org.id, { limit: 5 })).map((e) => e.actor);
    expect(actors.slice(0, 2)).toEqual(["operator:cli test", "operator:cli test"]);
  });
});
