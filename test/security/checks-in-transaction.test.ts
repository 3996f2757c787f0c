/**
 * A write's checks decide from the state its transaction writes into (docs/security.md case 84).
 * Issue 18 moves the reads a create makes before its transaction (the userName lookup, the domain
 * check) into it, on the writer: there they see the work of the earlier members of their group
 * commit, and nothing of a member rolled back to its savepoint. A check made before the transaction
 * decides from an older state than the one written: between the two, another organization may
 * verify the domain.
 *
 * Attacked with the use cases on a SQLite file store:
 * - another organization verifies the domain at the moment the write looks up its owner (started
 *   in that turn, through a store that watches the look-up, wherever it is made): a create on the
 *   domain, and a create reviving a deactivated user (its externalId) onto it, is either refused
 *   4011 with nothing written, or was written before the verification; never written after it
 *   (both were on the old code: the check, made before the transaction, did not see the
 *   verification the write was then committed after);
 * and, a member of a group the test holds open (on a gate) doing the other side's write, the write
 * under test queued behind it (its transaction seen asked for before the gate opens):
 * - a member takes the userName and is rolled back: the create is made; one that commits: 409;
 * - a member adds the user to a group and is rolled back: a PUT's answer does not show the group;
 *   one that commits: the PUT's answer shows it.
 */
import { operatorActor } from "../../src/domain/actor";
import { systemClock } from "../../src/domain/clock";
import { DomainError } from "../../src/domain/errors";
import { newId } from "../../src/domain/ids";
import type { DomainRepo, Repos, Store, UserRepo } from "../../src/domain/ports/store";
import type { Organization } from "../../src/domain/types";
import { createUser, modifyUserWithGroups } from "../../src/domain/users";
import { aGroup, aUser } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

let s: TestServer;
let org: Organization;
let owner: Organization;
beforeAll(async () => {
  s = await startTestServer();
  ({ org } = await s.newOrg({ domainEnforcement: false }));
  ({ org: owner } = await s.newOrg({ domainEnforcement: false }));
});
afterAll(() => s.close());

/**
 * The store, telling when the write under test asks for its transaction (and from then on it is
 * queued behind the held member: the writer's mutex is first come, first served).
 */
function observed(store: Store): { store: Store; asked: () => boolean } {
  let asked = false;
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (key !== "transaction" || typeof v !== "function") return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      return (...args: unknown[]) => {
        asked = true;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, asked: () => asked };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > 60_000) throw new Error(`never: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * `held` as a member of a group (after an opener), waiting on a gate once it wrote, then failing
 * when `rollBack`; `write` started meanwhile with an observed store; the gate opened once `write`
 * asked for its transaction, or settled without one. Answers `write`'s outcome.
 */
async function behind<T>(held: (tx: Repos) => Promise<void>, rollBack: boolean, write: (store: Store) => Promise<T>): Promise<T | DomainError> {
  let open = () => undefined as void;
  const gate = new Promise<void>((r) => { open = r; });
  let wrote = false;
  const opener = s.running.store.transaction(async () => undefined);
  const member = s.running.store.transaction(async (tx) => {
    await held(tx);
    wrote = true;
    await gate;
    if (rollBack) throw new Error("rolled back on purpose");
  }).catch((e: unknown) => {
    if (!String(e).includes("on purpose")) throw e;
  });
  await until("the held member wrote", () => wrote);
  const o = observed(s.running.store);
  let settled = false;
  const outcome = write(o.store).then((v) => v, (e: unknown) => {
    if (e instanceof DomainError) return e;
    throw e;
  }).finally(() => { settled = true; });
  try {
    await until("the write asked for its transaction", () => o.asked() || settled);
  } finally {
    open();
  }
  await opener;
  await member;
  return outcome;
}

const deps = (store: Store) => ({ store, clock: systemClock });
const create = (userName: string) => (store: Store) => createUser(deps(store), operatorActor(org, "attacker test"), { data: { userName, emails: [{ value: userName, primary: true }] } });
let n = 0;
const fresh = (domain = "checks.test") => `u${++n}-${Math.random().toString(36).slice(2, 8)}@${domain}`;

/**
 * The store, its transactions' repositories too, with the first look-up of `domain`'s owner made by
 * the write under test starting another organization's verification of it at that moment (in the
 * same turn, before the look-up answers), and the order of that verification and the write's own
 * user write recorded.
 */
function verifiedWhileChecked(domain: string): { store: Store; order: string[]; verified: () => Promise<void> } {
  const order: string[] = [];
  let verification: Promise<void> | null = null;
  const verify = () => {
    verification ??= s.running.store.transaction(async (tx) => {
      order.push("verified");
      const now = new Date().toISOString();
      await tx.domains.insert({ id: newId("DM"), orgId: owner.id, name: domain, state: "verified", challenge: "orgscim-domain-verification=test", created: now, verifiedAt: now });
    });
  };
  const domains = (r: DomainRepo): DomainRepo => ({ ...r, findOwner: (name) => { if (name === domain) verify(); return r.findOwner(name); } });
  const users = (r: UserRepo): UserRepo => ({
    ...r,
    insert: async (u) => { order.push("user written"); return r.insert(u); },
    update: async (u, v) => { order.push("user written"); return r.update(u, v); },
  });
  const repos = (tx: Repos): Repos => ({ ...tx, domains: domains(tx.domains), users: users(tx.users) });
  const base = s.running.store;
  const store = new Proxy(base, {
    get(target, key) {
      if (key === "domains") return domains(target.domains);
      if (key === "transaction") return <T>(fn: (tx: Repos) => Promise<T>, ...rest: unknown[]) => (target.transaction as (...a: unknown[]) => Promise<T>)((tx: Repos) => fn(repos(tx)), ...rest);
      const v = Reflect.get(target, key) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store, order, verified: async () => { verify(); await verification; } };
}

/**
 * What a write on the domain may end as: made before the verification (then it was rightly made),
 * or refused 4011 and nothing written. Made after it is the rule passed (another organization's
 * verified domain).
 */
function serialized(outcome: unknown, order: string[]): { outcome: string; order: string[] } {
  const written = order.indexOf("user written");
  if (outcome instanceof DomainError) return { outcome: String(outcome.code), order };
  return { outcome: written >= 0 && written < order.indexOf("verified") ? "written before the verification" : "written after the verification", order };
}
const fine = (r: { outcome: string; order: string[] }) => r.outcome === "4011" ? { outcome: "4011", order: r.order.filter((o) => o === "verified") } : { outcome: "written before the verification", order: ["user written", "verified"] };

test("another organization verifies the domain while a create checks it: the create is refused 4011 or was written first", async () => {
  const domain = `d${Math.random().toString(36).slice(2, 8)}.test`;
  const userName = fresh(domain);
  const v = verifiedWhileChecked(domain);
  const outcome = await create(userName)(v.store).catch((e: unknown) => e);
  await v.verified();
  const r = serialized(outcome, v.order);
  expect(r).toEqual(fine(r));
  if (r.outcome === "4011") expect(await s.running.store.users.findByUserName(org.id, userName)).toBeNull();
});

test("the same for a create that revives a deactivated user (same externalId): refused 4011 (the user left as it was) or written first", async () => {
  const domain = `d${Math.random().toString(36).slice(2, 8)}.test`;
  const externalId = `ext-${Math.random().toString(36).slice(2, 8)}`;
  const made = await createUser(deps(s.running.store), operatorActor(org, "attacker test"), { data: { userName: fresh(), externalId, active: false } });
  const userName = fresh(domain);
  const v = verifiedWhileChecked(domain);
  const outcome = await createUser(deps(v.store), operatorActor(org, "attacker test"), { data: { userName, externalId, emails: [{ value: userName, primary: true }] } }).catch((e: unknown) => e);
  await v.verified();
  const r = serialized(outcome, v.order);
  expect(r).toEqual(fine(r));
  const after = await s.running.store.users.get(org.id, made.user.id);
  if (r.outcome === "4011") expect({ userName: after?.userName, active: after?.active }).toEqual({ userName: made.user.userName, active: false });
});

test("a member takes the userName and is rolled back: the create is made", async () => {
  const userName = fresh();
  const outcome = await behind(async (tx) => tx.users.insert(aUser(org.id, { userName, emails: [{ value: userName, primary: true }] })), true, create(userName));
  expect(outcome instanceof DomainError ? outcome.code : "created").toBe("created");
});

test("a member takes the userName and commits: the create is refused 409", async () => {
  const userName = fresh();
  const outcome = await behind(async (tx) => tx.users.insert(aUser(org.id, { userName, emails: [{ value: userName, primary: true }] })), false, create(userName));
  expect(outcome instanceof DomainError ? outcome.kind : "created").toBe("uniqueness");
});

describe("a PUT's answer shows the groups its transaction wrote into", () => {
  const put = (id: string) => (store: Store) => modifyUserWithGroups(deps(store), operatorActor(org, "attacker test"), id, undefined, (u) => ({ data: { ...u.data, title: `t${++n}` } }));
  const groupWith = async (): Promise<{ user: string; group: string; held: (tx: Repos) => Promise<void> }> => {
    const u = await create(fresh())(s.running.store);
    const g = aGroup(org.id);
    await s.running.store.groups.insert(g);
    return { user: u.user.id, group: g.id, held: async (tx) => { await tx.groups.addMembers(org.id, g.id, [u.user.id]); } };
  };

  test("a member's addition rolled back: not shown", async () => {
    const { user, group, held } = await groupWith();
    const outcome = await behind(held, true, put(user));
    if (outcome instanceof DomainError) throw outcome;
    expect(outcome.groups.map((g) => g.id)).not.toContain(group);
  });

  test("a member's addition committed: shown", async () => {
    const { user, group, held } = await groupWith();
    const outcome = await behind(held, false, put(user));
    if (outcome instanceof DomainError) throw outcome;
    expect(outcome.groups.map((g) => g.id)).toContain(group);
  });
});
