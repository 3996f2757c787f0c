/** Stores and organizations for the command tests: real SQLite files, filled through the domain's own use cases. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeAccount, createAccount, grantRole } from "../../src/domain/accounts";
import type { Actor } from "../../src/domain/actor";
import { systemClock, type Clock } from "../../src/domain/clock";
import { createGroup } from "../../src/domain/groups";
import { newId } from "../../src/domain/ids";
import { acceptInvitation, inviteToAccount, inviteToOrganization } from "../../src/domain/invitations";
import { createOrganization } from "../../src/domain/orgs";
import type { Store } from "../../src/domain/ports/store";
import { issueToken } from "../../src/domain/tokens";
import type { Organization, OrgSettings } from "../../src/domain/types";
import { createUser, modifyUser } from "../../src/domain/users";
import { userInputOf } from "../../src/scim/resource-inputs";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { ORG_EXT, userBody } from "../helpers/server";

export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

export interface TempStores {
  dir: string;
  path(name: string): string;
  open(name: string): Store;
  close(): Promise<void>;
}

export function tempStores(): TempStores {
  const dir = mkdtempSync(join(tmpdir(), "orgscim-cli-"));
  const opened: Store[] = [];
  return {
    dir,
    path: (name) => join(dir, name),
    open(name) {
      const s = openSqliteStore({ path: join(dir, name) });
      opened.push(s);
      return s;
    },
    async close() {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const actorOf = (org: Organization): Actor => ({ org, tokenId: "TKseed", scopes: ["admin", "scim"], userId: null });

export async function newOrg(store: Store, name: string, settings: Partial<OrgSettings> = {}, clock: Clock = systemClock): Promise<Organization> {
  return createOrganization(store, clock, { name, settings });
}

export async function verifyDomain(store: Store, orgId: string, name: string): Promise<void> {
  const now = new Date().toISOString();
  const challenge = `orgscim-domain-verification=${randomBytes(16).toString("hex")}`;
  await store.domains.insert({ id: newId("DM"), orgId, name, state: "verified", challenge, created: now, verifiedAt: now, revalidatingSince: null });
}

export interface Seeded {
  org: Organization;
  other: Organization;
  token: string;
  userIds: string[];
  groupId: string;
  accountId: string;
  /** An independent user: invited to the account as Developer from outside, accepted (the "carol" case). */
  carolId: string;
  /** A closed account (its role groups went with it). */
  closedAccountId: string;
}

/**
 * An organization with a bit of everything: a verified domain, managed users (one Administrator,
 * one with the enterprise extension, one suspended), a pending user with an invitation, a group
 * with members, an account with a role assignment and a group bound to one of its roles, an
 * independent user (carol@partner.example, invited to the account as Developer, accepted), a
 * closed account, an API token, and the audit log all that leaves.
 */
export async function seedOrganization(store: Store, clock: Clock = systemClock): Promise<Seeded> {
  const deps = { store, clock };
  const other = await newOrg(store, "Other", { domainEnforcement: false }, clock);
  const org = await newOrg(store, "Acme", { deprovision: "remove" }, clock);
  await verifyDomain(store, org.id, "acme.test");
  const actor = actorOf(org);
  const ids: string[] = [];
  const add = async (body: Record<string, unknown>) => {
    const { user } = await createUser(deps, actor, userInputOf(body, "compatible"));
    ids.push(user.id);
    return user;
  };
  await add(userBody("ada@acme.test", { externalId: "okta-1", displayName: "Ada L" }));
  await add(userBody("boss@acme.test", { [ORG_EXT]: { orgRole: "administrator", twoFactorRequired: true } }));
  await add(userBody("eve@acme.test", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE], [ENTERPRISE]: { department: "R&D", employeeNumber: "42" } }));
  const suspended = await add(userBody("sam@acme.test"));
  await modifyUser(deps, actor, suspended.id, undefined, (u) => ({ data: { ...u.data, active: false } }));
  ids.push((await inviteToOrganization(deps, actor, { email: "pat@acme.test", orgRole: "standard" })).user.id); // pending
  const group = await createGroup(deps, actor, { data: { displayName: "Engineering", externalId: "eng" }, members: [ids[0]!, ids[2]!] });
  const account = await createAccount(deps, actor, { name: "Production", ownerId: ids[1]! });
  await grantRole(deps, actor, { accountId: account.id, userId: ids[0]!, role: "developer" });
  await createGroup(deps, actor, { data: { displayName: "Prod support" }, binding: { kind: "accountRole", accountId: account.id, role: "support" }, members: [ids[2]!] });
  const invited = await inviteToAccount(deps, actor, account.id, { email: "carol@partner.example", roles: ["developer"] });
  if (invited.outcome !== "invited") throw new Error("carol should have been invited");
  const accepted = await acceptInvitation(deps, /oiv_[A-Za-z0-9_-]+/.exec(invited.mail.text ?? "")![0]);
  const legacy = await createAccount(deps, actor, { name: "Legacy", ownerId: ids[1]! });
  await grantRole(deps, actor, { accountId: legacy.id, userId: ids[0]!, role: "support" });
  await closeAccount(deps, actor, legacy.id);
  const { plaintext } = await issueToken(store, clock, { orgId: org.id, name: "okta", scopes: ["scim"] });
  return { org, other, token: plaintext, userIds: ids, groupId: group.id, accountId: account.id, carolId: accepted.user.id, closedAccountId: legacy.id };
}

/** Everything an async iterable yields, as an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function* linesOf(lines: string[]): AsyncGenerator<string> {
  yield* lines;
}

/** Captures console.log, stdout and stderr while `fn` runs (the CLI writes to process.stdout and process.stderr). */
export async function captured<T>(fn: () => Promise<T>): Promise<{ result: T; out: string; err: string }> {
  let out = "";
  let err = "";
  const log = jest.spyOn(console, "log").mockImplementation((...a: unknown[]) => void (out += `${a.join(" ")}\n`));
  const error = jest.spyOn(console, "error").mockImplementation((...a: unknown[]) => void (err += `${a.join(" ")}\n`));
  const write = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  const writeOut = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  try {
    return { result: await fn(), out, err };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    writeOut.mockRestore();
  }
}
