/**
 * The store contract: provisioning errors (src/domain/provisioning-errors.ts), bounded per
 * organization: numbered in order, listed newest first, the oldest dropped beyond `keep` and past
 * `since`, and counted; another organization's records are never dropped, listed or counted.
 */
import type { ProvisioningError, Store } from "../../../src/domain/ports/store";
import { anOrg } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const at = (minute: number) => `2026-03-01T00:${String(minute).padStart(2, "0")}:00.000Z`;
const anError = (orgId: string, i: number, over: Partial<ProvisioningError> = {}): Omit<ProvisioningError, "seq"> => ({
  orgId, time: at(i % 60), status: 409, scimType: "uniqueness", code: 4002, reason: `userName 'u${i}@acme.test' is already in use`, method: "POST",
  path: "/Users", bulk: false, credential: "TK00000000000000000000000000000001", targetName: `u${i}@acme.test`, externalId: null, ...over,
});
const LONG_AGO = "2000-01-01T00:00:00.000Z";

export function provisioningErrors(it_: ContractIt, store: () => Store): void {
  const repo = () => {
    const r = store().provisioningErrors;
    if (!r) throw new Error(`the ${store().kind} store keeps no provisioning errors`);
    return r;
  };

  it_("numbers an organization's provisioning errors in order and lists them newest first, an offset of them skipped", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    await repo().record(org.id, [anError(org.id, 1)], { keep: 100, since: LONG_AGO });
    await repo().record(org.id, [anError(org.id, 2, { bulk: true, method: "PATCH", path: "/Users/US1", status: 400, scimType: "invalidValue" }), anError(org.id, 3, { targetName: null, externalId: "00u3" })], { keep: 100, since: LONG_AGO });
    const all = await repo().list(org.id, { offset: 0, limit: 10 });
    expect(all.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(all[1]).toEqual({ ...anError(org.id, 2, { bulk: true, method: "PATCH", path: "/Users/US1", status: 400, scimType: "invalidValue" }), seq: 2 });
    expect(all[0]).toMatchObject({ targetName: null, externalId: "00u3", bulk: false });
    expect((await repo().list(org.id, { offset: 1, limit: 1 })).map((e) => e.seq)).toEqual([2]);
    expect(await repo().list(org.id, { offset: 3, limit: 5 })).toEqual([]);
    expect(await repo().counts(org.id)).toEqual({ recorded: 3, retained: 3 });
  });

  it_("keeps an organization's newest `keep` records, drops and counts the older ones, and never touches another organization's", async () => {
    const flooder = anOrg(); await store().orgs.insert(flooder);
    const quiet = anOrg(); await store().orgs.insert(quiet);
    await repo().record(quiet.id, [anError(quiet.id, 1), anError(quiet.id, 2)], { keep: 3, since: LONG_AGO });
    for (let i = 1; i <= 12; i++) await repo().record(flooder.id, [anError(flooder.id, i)], { keep: 3, since: LONG_AGO });
    // A /Bulk request's many refusals in one call: the bound holds there too.
    await repo().record(flooder.id, [13, 14, 15, 16, 17].map((i) => anError(flooder.id, i, { bulk: true })), { keep: 3, since: LONG_AGO });
    expect((await repo().list(flooder.id, { offset: 0, limit: 100 })).map((e) => e.seq)).toEqual([17, 16, 15]);
    expect(await repo().counts(flooder.id)).toEqual({ recorded: 17, retained: 3 });
    expect((await repo().list(quiet.id, { offset: 0, limit: 100 })).map((e) => e.seq)).toEqual([2, 1]);
    expect(await repo().counts(quiet.id)).toEqual({ recorded: 2, retained: 2 });
    expect(await repo().counts(anOrg().id)).toEqual({ recorded: 0, retained: 0 });
    expect(await repo().list(anOrg().id, { offset: 0, limit: 10 })).toEqual([]);
  });

  it_("drops an organization's records older than `since` when it records a new one", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const other = anOrg(); await store().orgs.insert(other);
    await repo().record(org.id, [anError(org.id, 1, { time: "2026-01-01T00:00:00.000Z" }), anError(org.id, 2, { time: "2026-01-02T00:00:00.000Z" })], { keep: 100, since: LONG_AGO });
    await repo().record(other.id, [anError(other.id, 1, { time: "2026-01-01T00:00:00.000Z" })], { keep: 100, since: LONG_AGO });
    await repo().record(org.id, [anError(org.id, 3, { time: "2026-03-01T00:00:00.000Z" })], { keep: 100, since: "2026-01-01T12:00:00.000Z" });
    expect((await repo().list(org.id, { offset: 0, limit: 10 })).map((e) => e.seq)).toEqual([3, 2]);
    expect(await repo().counts(org.id)).toEqual({ recorded: 3, retained: 2 });
    expect((await repo().list(other.id, { offset: 0, limit: 10 })).map((e) => e.seq)).toEqual([1]);
  });
}
