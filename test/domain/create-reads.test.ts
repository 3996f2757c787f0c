/**
 * A create (POST /Users, src/domain/users.ts createUser) reads what decides its writes in the
 * transaction that writes them: the user to revive by externalId and the owner of the email's
 * domain. So another writer's commit that lands before the create's transaction (a domain verified
 * by another organization, the user with that externalId deactivated) is seen by it: a read before
 * the transaction could be stale by the time the transaction writes. (On SQLite the transaction's
 * reads are on the writer, whose pages are warm; the reader's are dropped at every commit.)
 */
import { operatorActor } from "../../src/domain/actor";
import { systemClock } from "../../src/domain/clock";
import { DomainError } from "../../src/domain/errors";
import { newId } from "../../src/domain/ids";
import type { Repos, Store } from "../../src/domain/ports/store";
import { builtinOrgRoleGroups } from "../../src/domain/role-groups";
import { createUser } from "../../src/domain/users";
import { openStore } from "../../src/store/open";
import { anOrg, aUser } from "../helpers/fixtures";

let store: Store;
beforeAll(async () => { store = await openStore("sqlite::memory:"); });
afterAll(() => store.close());

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const tag = () => Math.random().toString(36).slice(2, 10);

async function world() {
  const org = anOrg({ settings: { ...anOrg().settings, domainEnforcement: false } });
  await store.orgs.insert(org);
  for (const g of builtinOrgRoleGroups(org.id, org.created)) await store.groups.insert(g);
  return { org, actor: operatorActor(org, "create-reads test") };
}

/** The store, with `before` run (committed) just before each transaction opens, and the reads noted as made outside a transaction or in one. */
function around(before: () => Promise<void> = async () => undefined) {
  const reads: string[] = [];
  const noting = <R extends Repos>(repos: R, where: string): R => ({
    ...repos,
    users: { ...repos.users, findByExternalId: (orgId: string, id: string) => { reads.push(`users.findByExternalId ${where}`); return repos.users.findByExternalId(orgId, id); } },
    domains: { ...repos.domains, findOwner: (name: string) => { reads.push(`domains.findOwner ${where}`); return repos.domains.findOwner(name); } },
  });
  const wrapped: Store = {
    ...noting(store, "outside"),
    transaction: async (fn, options) => {
      await before();
      return store.transaction((tx) => fn(noting(tx, "in the transaction")), options);
    },
  };
  return { deps: { store: wrapped, clock: systemClock }, reads };
}

const body = (userName: string, externalId?: string) => ({
  data: { schemas: [USER], userName, ...(externalId ? { externalId } : {}), emails: [{ value: userName, type: "work", primary: true }] },
});

describe("a create reads what decides its writes in its transaction", () => {
  it("reads the user to revive and the email's domain there, and nothing before it", async () => {
    const { actor } = await world();
    const { deps, reads } = around();
    const made = await createUser(deps, actor, body(`reads-${tag()}@acme.test`, `ext-${tag()}`));
    expect(made.outcome).toBe("created");
    expect(reads).toEqual(["users.findByExternalId in the transaction", "domains.findOwner in the transaction"]);
  });

  it("refuses a user on a domain another organization verified just before the create's transaction, and writes nothing", async () => {
    const { actor } = await world();
    const other = anOrg();
    await store.orgs.insert(other);
    const domain = `taken-${tag()}.test`;
    const { deps } = around(async () => {
      if (await store.domains.findOwner(domain)) return;
      const at = new Date().toISOString();
      await store.domains.insert({ id: newId("DM"), orgId: other.id, name: domain, state: "verified", challenge: "orgscim-domain-verification=test", created: at, verifiedAt: at });
    });
    const userName = `someone@${domain}`;
    const refused = await createUser(deps, actor, body(userName)).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).message).toContain(domain);
    expect(await store.users.findByUserName(actor.org.id, userName)).toBeNull();
  });

  it("revives the user with the externalId that another writer deactivated just before the create's transaction", async () => {
    const { org, actor } = await world();
    const externalId = `ext-${tag()}`;
    const existing = aUser(org.id, { externalId });
    await store.users.insert(existing);
    const { deps } = around(async () => {
      const now = await store.users.get(org.id, existing.id);
      if (now?.active) await store.users.update({ ...now, active: false, data: { ...now.data, active: false }, version: now.version + 1 }, now.version);
    });
    const made = await createUser(deps, actor, body(existing.userName, externalId));
    expect([made.outcome, made.user.id, made.user.active]).toEqual(["revived", existing.id, true]);
  });
});
