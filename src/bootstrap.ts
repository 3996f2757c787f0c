/**
 * First start on an empty store: create the first organization and an admin token, and show
 * the token once (it is stored only as a hash). ORGSCIM_BOOTSTRAP_TOKEN sets the token instead,
 * for automation; it is then not printed.
 */
import type { Clock } from "./domain/clock";
import { createOrganization } from "./domain/orgs";
import type { Store } from "./domain/ports/store";
import { issueToken } from "./domain/tokens";

export interface BootstrapResult {
  orgId: string;
  /** The plaintext token when one was generated (to be shown once), else null. */
  generatedToken: string | null;
}

export async function bootstrapIfEmpty(store: Store, clock: Clock, opts: { orgName: string; token?: string | undefined }): Promise<BootstrapResult | null> {
  if ((await store.orgs.list()).length > 0) return null;
  const org = await createOrganization(store, clock, { name: opts.orgName });
  const issued = await issueToken(store, clock, {
    orgId: org.id, name: "bootstrap admin", scopes: ["admin", "scim"],
    ...(opts.token ? { plaintext: opts.token } : {}),
  });
  return { orgId: org.id, generatedToken: opts.token ? null : issued.plaintext };
}
