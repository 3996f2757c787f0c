/**
 * An organization with one person of each kind the policy distinguishes, made over real HTTP
 * with the operator's token (what `orgscim tokens create` makes), and tokens acting for each of
 * them as the CLI makes them (`orgscim tokens create --user`).
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import type { OrgSettings, Scope } from "../../src/domain/types";
import { call, ORG_EXT, PATCH_SCHEMA, userBody, type Reply, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

export const unique = (p: string): string => `${p}-${Math.random().toString(36).slice(2, 10)}`;

export interface People {
  orgId: string;
  /** The operator's token: scim + admin, made outside any user (as the CLI and the bootstrap do). */
  operator: string;
  owner: string;
  admin: string;
  std: string;
  /** A Standard User who holds Administrator on `account` (and nothing else). */
  accAdmin: string;
  /** An account owned by `std`; `accAdmin` administers it. */
  account: string;
  /** An account nobody but the Owner touches. */
  otherAccount: string;
  /** A token acting for `userId`, made as the CLI makes one. */
  tokenFor(userId: string, scopes?: Scope[]): Promise<string>;
  /** A service token (no user) made as the CLI makes one. */
  serviceToken(scopes: Scope[]): Promise<string>;
  mkUser(prefix: string, over?: Record<string, unknown>): Promise<string>;
  user(id: string): Promise<Reply>;
  refusals(): Promise<{ action: string; actor: string; reason?: string; targetId: string | null }[]>;
}

export async function people(s: TestServer, settings: Partial<OrgSettings> = {}): Promise<People> {
  const o = await s.newOrg({ domainEnforcement: false, ...settings });
  const mkUser = async (prefix: string, over: Record<string, unknown> = {}) => {
    const r = await call("POST", `${s.scim}/Users`, o.token, userBody(`${unique(prefix)}@acme.test`, over));
    if (r.status !== 201) throw new Error(`fixture: POST /Users answered ${r.status} ${r.text}`);
    return r.body.id as string;
  };
  const must = async (r: Promise<Reply>, status: number) => {
    const got = await r;
    if (got.status !== status) throw new Error(`fixture: expected ${status}, got ${got.status} ${got.text}`);
    return got;
  };
  const owner = await mkUser("owner");
  await must(v1("POST", `${s.url}/v1/Users/${owner}`, o.token, { org_role: "owner" }), 200);
  const admin = await mkUser("admin", { [ORG_EXT]: { orgRole: "administrator" } });
  const std = await mkUser("std");
  const accAdmin = await mkUser("accadmin");
  const account = (await must(v1("POST", `${s.url}/v1/Accounts`, o.token, { friendly_name: unique("Acct"), owner_sid: std }), 201)).body.sid as string;
  const otherAccount = (await must(v1("POST", `${s.url}/v1/Accounts`, o.token, { friendly_name: unique("Other"), owner_sid: owner }), 201)).body.sid as string;
  await must(v1("POST", `${s.url}/v1/RoleAssignments`, o.token, { account_sid: account, user_sid: accAdmin, role: "administrator" }), 201);
  return {
    orgId: o.org.id,
    operator: o.token,
    owner, admin, std, accAdmin, account, otherAccount,
    tokenFor: async (userId, scopes = ["admin"]) =>
      (await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: `for ${userId}`, scopes, userId })).plaintext,
    serviceToken: async (scopes) => (await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "service", scopes })).plaintext,
    mkUser,
    user: (id) => call("GET", `${s.scim}/Users/${id}`, o.token),
    refusals: async () => (await s.running.store.audit.list(o.org.id, { limit: 1000 })).filter((e) => e.outcome === "refused")
      .map((e) => ({ action: e.action, actor: e.actor, targetId: e.targetId, ...(e.reason ? { reason: e.reason } : {}) })),
  };
}

export const patchOp = (...Operations: Record<string, unknown>[]) => ({ schemas: [PATCH_SCHEMA], Operations });
