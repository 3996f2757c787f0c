/**
 * First start on an empty store: the first organization and an admin token, created in one
 * transaction once the server listens (src/server.ts), and the token shown once (it is stored only
 * as a hash). ORGSCIM_BOOTSTRAP_TOKEN sets the token instead, for automation; it is then not printed.
 *
 * The audit log remembers whether the token was shown: `organization.bootstrap` when it was made,
 * `bootstrap.token_shown` once it was printed. A later start on a store whose bootstrap token was
 * never shown (the process died in between, or its output was lost), and which has no other
 * working token, says so with the command that makes a new one: the owner of the data is never
 * locked out.
 */
import { auditEvent } from "./domain/audit";
import type { Clock } from "./domain/clock";
import { newId } from "./domain/ids";
import { insertOrganization } from "./domain/orgs";
import type { Store } from "./domain/ports/store";
import { issueToken } from "./domain/tokens";
import type { Organization } from "./domain/types";

export interface BootstrapResult {
  orgId: string;
  tokenId: string;
  /** The plaintext token when one was generated (to be shown once), else null. */
  generatedToken: string | null;
}

const BOOTSTRAP = "organization.bootstrap";
const SHOWN = "bootstrap.token_shown";

const systemActor = (org: Organization) => ({ org, tokenId: "system", scopes: [], userId: null });

/** The name under which the store keeps the first organization's id (Store.secret: the first value stored wins). */
const FIRST_ORG_ID = "first-organization-id";

/**
 * Creates the first organization and its admin token when the store has no organization, all in
 * one transaction (the emptiness is read inside it); null when the store has one.
 *
 * Several instances may start together on one empty store (replicas of a deployment). Reading
 * "no organization" in each one's transaction does not keep them apart on MongoDB (snapshot reads
 * of nothing conflict with nothing), so every instance names the same organization: the id is
 * made once per store, the first value stored wins, and the others' inserts of that id conflict
 * and are retried (or refused) until they see it and make nothing. An instance that died between
 * storing the id and committing leaves an id that the next start uses.
 */
export async function bootstrapIfEmpty(store: Store, clock: Clock, opts: { orgName: string; token?: string | undefined }): Promise<BootstrapResult | null> {
  if ((await store.orgs.list()).length > 0) return null;
  // Outside the transaction, which a store may retry (src/domain/orgs.ts).
  const id = store.secret ? await store.secret(FIRST_ORG_ID, () => newId("OR")) : newId("OR");
  try {
    return await createFirst(store, clock, id, opts);
  } catch (e) {
    // Another instance committed the same organization first: the store refused the id.
    if ((await store.orgs.list()).length > 0) return null;
    throw e;
  }
}

async function createFirst(store: Store, clock: Clock, id: string, opts: { orgName: string; token?: string | undefined }): Promise<BootstrapResult | null> {
  return store.transaction(async (tx) => {
    if ((await tx.orgs.list()).length > 0) return null;
    const org = await insertOrganization(tx, clock, { id, name: opts.orgName });
    const issued = await issueToken(tx, clock, {
      orgId: org.id, name: "bootstrap admin", scopes: ["admin", "scim"], ...(opts.token ? { plaintext: opts.token } : {}),
    });
    await tx.audit.append(auditEvent(clock, systemActor(org), BOOTSTRAP, { type: "Token", id: issued.token.id }, {
      after: { tokenId: issued.token.id, token: opts.token ? "ORGSCIM_BOOTSTRAP_TOKEN" : "generated, shown once at start" },
    }));
    return { orgId: org.id, tokenId: issued.token.id, generatedToken: opts.token ? null : issued.plaintext };
  });
}

/** Records that the bootstrap token was printed (main.ts calls it right after printing). */
export async function recordTokenShown(store: Store, clock: Clock, result: BootstrapResult): Promise<void> {
  const org = await store.orgs.get(result.orgId);
  if (!org) return;
  await store.audit.append(auditEvent(clock, systemActor(org), SHOWN, { type: "Token", id: result.tokenId }));
}

/**
 * When the store's first organization was bootstrapped with a generated token that was never
 * shown, and has no other working token: what to tell the operator, with the commands that fix
 * it. Null otherwise.
 */
export async function unshownBootstrapToken(store: Store): Promise<string | null> {
  const [first] = await store.orgs.list();
  if (!first) return null;
  const [made] = await store.audit.list(first.id, { limit: 1, action: BOOTSTRAP });
  const tokenId = made?.targetId;
  if (!made || !tokenId || (made.after as { token?: string } | null)?.token === "ORGSCIM_BOOTSTRAP_TOKEN") return null;
  if ((await store.audit.list(first.id, { limit: 1, action: SHOWN })).length > 0) return null;
  const working = (await store.tokens.list(first.id)).filter((t) => !t.revoked);
  if (!working.some((t) => t.id === tokenId) || working.length > 1) return null;
  return [
    `The admin token of the first organization (${first.id}, token ${tokenId}) was created on ${made.time} but never shown:`,
    "the server stopped before printing it. Nobody has it, and it is stored only as a hash. Make a new one:",
    "",
    `    npx orgscim tokens create --org ${first.id} --scopes admin,scim --name admin`,
    "",
    `and revoke the lost one: npx orgscim tokens revoke --org ${first.id} ${tokenId}`,
  ].join("\n");
}
