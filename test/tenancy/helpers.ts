/** Shared pieces of the cross-organization tests: a server, organizations, and the doors a create or an invitation goes through. */
import { call, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

export const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

let n = 0;
/** A fresh name under `.test`, so that every test owns its domains and emails. */
export const uniqueDomain = (label = "corp") => `${label}-${++n}-${Math.random().toString(36).slice(2, 8)}.test`;
export const uniqueLocal = (label = "p") => `${label}${++n}${Math.random().toString(36).slice(2, 6)}`;

export interface OrgHandle {
  id: string;
  token: string;
}

export async function newOrg(s: TestServer, enforcement: boolean): Promise<OrgHandle> {
  const { org, token } = await s.newOrg({ domainEnforcement: enforcement });
  return { id: org.id, token };
}

export const scimCreate = (s: TestServer, o: OrgHandle, email: string, over: Record<string, unknown> = {}) =>
  call("POST", `${s.scim}/Users`, o.token, userBody(email, over));

export async function bulkCreate(s: TestServer, o: OrgHandle, email: string): Promise<{ reply: Reply; op: { status: string; response?: { detail?: string; scimType?: string }; location?: string } }> {
  const reply = await call("POST", `${s.scim}/Bulk`, o.token, {
    schemas: [BULK_REQUEST], Operations: [{ method: "POST", path: "/Users", bulkId: "u1", data: userBody(email) }],
  });
  return { reply, op: reply.body?.Operations?.[0] };
}

export const inviteToOrg = (s: TestServer, o: OrgHandle, email: string, role: "standard" | "administrator" = "standard") =>
  v1("POST", `${s.url}/v1/Invitations`, o.token, { email, org_role: role });

export async function newAccount(s: TestServer, o: OrgHandle, ownerSid: string): Promise<string> {
  const r = await v1("POST", `${s.url}/v1/Accounts`, o.token, { friendly_name: "Acct", owner_sid: ownerSid });
  if (r.status !== 201) throw new Error(`account create answered ${r.status}: ${r.text}`);
  return r.body.sid as string;
}

export const inviteToAccount = (s: TestServer, o: OrgHandle, accountSid: string, email: string) =>
  v1("POST", `${s.url}/v1/Accounts/${accountSid}/Invitations`, o.token, { email, roles: ["developer"] });

export const accept = (s: TestServer, token: string) => v1("POST", `${s.url}/v1/Invitations/Accept`, null, { token });

/** The plaintext acceptance token of the newest invitation mail queued for `email` (the outbox keeps it until sent). */
export async function invitationTokenFor(s: TestServer, invitationSid: string): Promise<string> {
  const rows = await s.running.store.outbox.list({ ref: invitationSid, limit: 5 });
  const text = rows.find((r) => r.kind === "invitation" && r.text)?.text ?? "";
  const t = /oiv_[A-Za-z0-9_-]{43}/.exec(text)?.[0];
  if (!t) throw new Error(`no invitation token queued for ${invitationSid}`);
  return t;
}

export { startTestServer, type TestServer };
