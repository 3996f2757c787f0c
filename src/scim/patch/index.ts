/**
 * The PATCH engine (RFC 7644 §3.5.2). Parse a body into operations once, then either apply them to
 * a resource (`applyPatch`, pure, all-or-nothing) or, for groups, split membership changes off as
 * row operations for the store (`splitMemberOps`) and apply the rest.
 * scimmy's Patch is never used: it is read-modify-write of the whole resource (docs/stack.md#defect-6).
 */
export { applyPatch } from "./apply";
export { splitMemberOps, type MemberOp } from "./members";
export type { PatchOperation } from "./operation";
export { parsePatchRequest } from "./parse-request";
