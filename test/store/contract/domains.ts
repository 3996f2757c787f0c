/** The store contract: domains (one verified owner per name; pending claims of several organizations coexist). */
import { UniqueViolation, type Store } from "../../../src/domain/ports/store";
import { anOrg } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

export function domains(it_: ContractIt, store: () => Store): void {
  it_("keeps one verified owner per domain name without case; pending claims of several organizations coexist, one per organization", async () => {
    const s = store();
    const [a, b, c] = [anOrg(), anOrg(), anOrg()];
    for (const o of [a, b, c]) await s.orgs.insert(o);
    const name = `own-${a.id.slice(2, 10)}.test`;
    const mk = (id: string, orgId: string, state: "pending" | "verified", n = name) =>
      ({ id, orgId, name: n, state, challenge: "c", created: "2026-01-01T00:00:00.000Z", verifiedAt: null, revalidatingSince: null });
    const owner = mk(`DM${a.id.slice(2)}`, a.id, "verified");
    const claimB = mk(`DM${b.id.slice(2)}`, b.id, "pending", name.toUpperCase());
    const claimC = mk(`DM${c.id.slice(2)}`, c.id, "pending");
    await s.domains.insert(owner);
    await s.domains.insert(claimB);
    await s.domains.insert(claimC);
    await expect(s.domains.insert({ ...claimC, id: `DM${"9".repeat(24)}${c.id.slice(2, 10)}` })).rejects.toEqual(new UniqueViolation("name"));
    await expect(s.domains.update({ ...claimB, state: "verified" })).rejects.toEqual(new UniqueViolation("name"));
    expect((await s.domains.findOwner(name.toUpperCase()))?.id).toBe(owner.id);
    expect((await s.domains.listByName(name)).map((d) => d.id).sort()).toEqual([owner.id, claimB.id, claimC.id].sort());
    expect(await s.domains.get(b.id, owner.id)).toBeNull();
    expect(await s.domains.update({ ...owner, state: "removed" })).toBe(true);
    expect((await s.domains.get(a.id, owner.id))?.state).toBe("removed");
    expect(await s.domains.findOwner(name)).toBeNull();
    expect(await s.domains.update({ ...claimC, state: "verified" })).toBe(true);
    expect((await s.domains.findOwner(name))?.orgId).toBe(c.id);
  });

  it_("keeps a server secret: the first value stored wins, and it is the same on every read", async () => {
    const s = store();
    if (!s.secret) throw new Error(`the ${s.kind} store keeps no server secrets`);
    const name = `test-${Math.random().toString(36).slice(2)}`;
    const [x, y] = await Promise.all([s.secret(name, () => "first"), s.secret(name, () => "second")]);
    expect(x).toBe(y);
    expect(await s.secret(name, () => "third")).toBe(x);
  });
}
