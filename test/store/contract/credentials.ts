/** The store contract: OAuth clients and access tokens in the tokens repository (src/domain/oauth.ts). */
import type { Store } from "../../../src/domain/ports/store";
import type { ApiToken } from "../../../src/domain/types";
import { anOrg } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

let n = 0;
const hex = (c: string) => `${(++n).toString(16).padStart(4, "0")}${c.repeat(28)}`;
const base = (orgId: string, over: Partial<ApiToken>): ApiToken => ({
  id: `TK${hex("a")}`, orgId, name: "t", scopes: ["scim"], secretHash: "00", userId: null, created: "2026-01-01T00:00:00.000Z", revoked: null,
  createdBy: "operator", creatorUserId: null, ceiling: "owner", ...over,
});

export function credentials(it_: ContractIt, store: () => Store): void {
  it_("keeps a client's and an access token's kind, expiry and audience, and leaves them absent on a static token", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const client = base(org.id, { id: `OC${hex("b")}`, kind: "client", expires: "2027-01-01T00:00:00.000Z" });
    const access = base(org.id, { id: `AT${hex("c")}`, kind: "access", createdBy: client.id, expires: "2026-01-01T01:00:00.000Z", audience: "/scim/v2" });
    const plain = base(org.id, {});
    for (const t of [client, access, plain]) await store().tokens.insert(t);
    expect(await store().tokens.get(client.id)).toEqual(client);
    expect(await store().tokens.get(access.id)).toEqual(access);
    const read = await store().tokens.get(plain.id);
    expect(read).toEqual(plain);
    expect(Object.keys(read!)).not.toEqual(expect.arrayContaining(["kind"]));
    expect((await store().tokens.list(org.id)).map((t) => t.id).sort()).toEqual([client.id, access.id, plain.id].sort());
  });

  it_("purges only the expired access tokens of that client in that organization", async () => {
    const org = anOrg(); const other = anOrg();
    await store().orgs.insert(org); await store().orgs.insert(other);
    const client = base(org.id, { id: `OC${hex("d")}`, kind: "client" });
    const client2 = base(org.id, { id: `OC${hex("e")}`, kind: "client" });
    const at = (orgId: string, by: string, expires: string) => base(orgId, { id: `AT${hex("f")}`, kind: "access", createdBy: by, expires });
    const old1 = at(org.id, client.id, "2026-01-01T00:00:00.000Z");
    const old2 = at(org.id, client.id, "2026-01-01T05:00:00.000Z");
    const live = at(org.id, client.id, "2026-01-03T00:00:00.000Z");
    const otherClients = at(org.id, client2.id, "2026-01-01T00:00:00.000Z");
    const otherOrgs = at(other.id, client.id, "2026-01-01T00:00:00.000Z");
    const expiredStatic = base(org.id, { createdBy: client.id, expires: "2026-01-01T00:00:00.000Z" });
    for (const t of [client, client2, old1, old2, live, otherClients, otherOrgs, expiredStatic]) await store().tokens.insert(t);
    expect(await store().tokens.purgeExpiredAccess(org.id, client.id, "2026-01-02T00:00:00.000Z")).toBe(2);
    for (const gone of [old1, old2]) expect(await store().tokens.get(gone.id)).toBeNull();
    for (const kept of [client, client2, live, otherClients, otherOrgs, expiredStatic]) expect(await store().tokens.get(kept.id)).toEqual(kept);
    expect(await store().tokens.purgeExpiredAccess(org.id, client.id, "2026-01-02T00:00:00.000Z")).toBe(0);
  });

  it_("moves a live token's expiry earlier only, and answers false for a revoked or another organization's token", async () => {
    const org = anOrg(); const other = anOrg();
    await store().orgs.insert(org); await store().orgs.insert(other);
    const never = base(org.id, {});
    const later = base(org.id, { expires: "2026-03-01T00:00:00.000Z" });
    const sooner = base(org.id, { expires: "2026-01-15T00:00:00.000Z" });
    const revoked = base(org.id, { revoked: "2026-01-01T00:00:00.000Z" });
    for (const t of [never, later, sooner, revoked]) await store().tokens.insert(t);
    const at = "2026-02-01T00:00:00.000Z";
    expect(await store().tokens.expireBy(org.id, never.id, at)).toBe(true);
    expect(await store().tokens.expireBy(org.id, later.id, at)).toBe(true);
    expect(await store().tokens.expireBy(org.id, sooner.id, at)).toBe(true);
    expect(await store().tokens.expireBy(org.id, revoked.id, at)).toBe(false);
    expect(await store().tokens.expireBy(other.id, never.id, "2026-01-02T00:00:00.000Z")).toBe(false);
    expect((await store().tokens.get(never.id))?.expires).toBe(at);
    expect((await store().tokens.get(later.id))?.expires).toBe(at);
    expect((await store().tokens.get(sooner.id))?.expires).toBe("2026-01-15T00:00:00.000Z");
    expect((await store().tokens.get(revoked.id))?.expires).toBeUndefined();
  });
}
