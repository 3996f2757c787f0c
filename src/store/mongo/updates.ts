/**
 * The write documents the MongoDB store sends, built by pure functions so that tests can run them
 * with mingo's updater against fixtures:
 * - `casUpdate`: compare-and-set on `version`; a stale version matches nothing;
 * - `memberUpserts`: one upsert per membership with `$setOnInsert`, keyed by
 *   `_id = groupId + ":" + userId`, so adding is idempotent and never reads or rewrites the
 *   member list (concurrent adds of different users never conflict);
 * - `touchGroup`: version + 1 and lastModified after a membership change;
 * - `revokeToken`: sets `revoked` only while it is null;
 * - `domainUpdate`, `orgUpdate`: the fields those repositories may change.
 * Every filter value is wrapped in `$eq`, so a value can never be read as an operator.
 */
import type { Domain, Organization } from "../../domain/types";
import { domainDoc, mutableFields, type Doc } from "./docs";

export interface UpdateOp {
  filter: Doc;
  update: Doc;
}

export const casUpdate = (doc: Doc, expectedVersion: number): UpdateOp => ({
  filter: { _id: { $eq: doc._id }, orgId: { $eq: doc.orgId }, version: { $eq: expectedVersion } },
  update: { $set: mutableFields(doc) },
});

export const membershipId = (groupId: string, userId: string): string => `${groupId}:${userId}`;

export interface MemberUpsert {
  updateOne: { filter: Doc; update: Doc; upsert: true };
}

/**
 * `newMembershipId` names each membership made (the GroupMember resource's id, never reassigned:
 * `_id` is the pair and comes back when a user is added again, `id` does not); an existing one
 * keeps its id and `created` ($setOnInsert).
 */
export const memberUpserts = (orgId: string, groupId: string, users: { id: string; seq: number }[], created: string, newMembershipId: () => string): MemberUpsert[] =>
  users.map((u) => ({
    updateOne: {
      filter: { _id: { $eq: membershipId(groupId, u.id) }, orgId: { $eq: orgId } },
      update: { $setOnInsert: { orgId, groupId, userId: u.id, userSeq: u.seq, id: newMembershipId(), created } },
      upsert: true,
    },
  }));

/**
 * What adding members writes before the memberships: `memberTick` + 1 on the group and on each
 * user, fields nothing reads. They make the add a writer of the documents a delete removes, so
 * that under snapshot isolation a delete and an add racing in two transactions conflict.
 */
export const memberWrites = (orgId: string, groupId: string, userIds: string[]): { group: UpdateOp; users: UpdateOp } => ({
  group: { filter: { _id: { $eq: groupId }, orgId: { $eq: orgId } }, update: { $inc: { memberTick: 1 } } },
  users: { filter: { orgId: { $eq: orgId }, _id: { $in: userIds } }, update: { $inc: { memberTick: 1 } } },
});

/** A membership change: version + 1 and lastModified, atomically, without compare-and-set. */
export const touchGroup = (orgId: string, groupId: string, lastModified: string): UpdateOp => ({
  filter: { _id: { $eq: groupId }, orgId: { $eq: orgId } },
  update: { $inc: { version: 1 }, $set: { lastModified } },
});

export const revokeToken = (orgId: string, id: string, at: string): UpdateOp => ({
  filter: { _id: { $eq: id }, orgId: { $eq: orgId }, revoked: { $eq: null } },
  update: { $set: { revoked: at } },
});

export function domainUpdate(d: Domain): UpdateOp {
  const doc = domainDoc(d);
  const set: Doc = { state: doc.state, challenge: doc.challenge, verifiedAt: doc.verifiedAt, revalidatingSince: doc.revalidatingSince };
  const update: Doc = { $set: set };
  const unset: Doc = {};
  for (const key of ["claimedName", "orgName"]) {
    if (doc[key] === undefined) unset[key] = "";
    else set[key] = doc[key];
  }
  if (Object.keys(unset).length > 0) update.$unset = unset;
  return { filter: { _id: { $eq: d.id }, orgId: { $eq: d.orgId } }, update };
}

export const orgUpdate = (o: Organization): UpdateOp => ({
  filter: { _id: { $eq: o.id } },
  update: { $set: { name: o.name, settings: { ...o.settings }, lastModified: o.lastModified } },
});
