/**
 * Portability: one organization as a stream of records (export) and back into a store (import).
 *
 *   ./types.ts         the records export yields and import takes; the import's report
 *   ./export.ts        exportOrganization: every record, in an order an import can replay
 *   ./format.ts        file-format checks a line passes before it is planned; record comparison
 *   ./state.ts         what planning consults: the batch's overlay and the import's state
 *   ./plan-members.ts  planning users and groups (memberships)
 *   ./plan-records.ts  planning the organization, domains, accounts, invitations, tokens, audit
 *   ./importer.ts      OrgImporter: batches, one transaction each, retried line by line on failure
 */
export { exportOrganization } from "./export";
export { canonical } from "./format";
export { OrgImporter } from "./importer";
export { RECORD_KINDS } from "./types";
export type * from "./types";
