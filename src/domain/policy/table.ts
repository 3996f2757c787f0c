/**
 * THE authorization policy of orgscim, as data: every action, who may do it to which kinds of
 * target, and the doors (SCIM, /Bulk, /v1, CLI) through which it is asked. Its rows are kept one
 * file per family in ./table/ (users and org roles, groups, accounts and invitations, the
 * organization, credentials, discovery; ./table/rule.ts says what a row is) and assembled here, in
 * the order the docs list them. One function decides from this table (./decide.ts); every use
 * case asks it (./authorize.ts); docs/authorization.md is generated from it (./render.ts) and a
 * test fails when the committed file is stale; the matrix test (test/authz/matrix.test.ts) is
 * generated from it too.
 *
 * The rules come from the seed (Managed Users): an Owner and Administrators manage the
 * organization, its users and its accounts, except what is the Owner's alone (ownership, and
 * anything done to the Owner); a Standard User may create accounts (owned by themselves) and read
 * their own user and accounts; an account's Administrator manages that account's users and roles,
 * not its ownership or its existence; nobody grants a right they do not hold; an identity
 * provider (a token with the scim scope only) provisions users and groups, grants and revokes
 * account roles and runs the lifecycle of anyone but the Owner, and never grants or revokes an
 * org role above Standard User, on the User path or the Group path.
 */
import type { Door } from "./kinds";
import { ACCOUNT_ROWS } from "./table/accounts";
import { CREDENTIAL_ROWS } from "./table/credentials";
import { DISCOVERY_ROWS } from "./table/discovery";
import { GROUP_ROWS } from "./table/groups";
import { ORGANIZATION_ROWS } from "./table/organization";
import type { ActionRule } from "./table/rule";
import { USER_ROWS } from "./table/users";

export type { ActionRule, StateRule } from "./table/rule";

/** Every action, in the order docs/authorization.md lists them: one file of rows per family (./table/). */
export const POLICY: readonly ActionRule[] = [...USER_ROWS, ...GROUP_ROWS, ...ACCOUNT_ROWS, ...ORGANIZATION_ROWS, ...CREDENTIAL_ROWS, ...DISCOVERY_ROWS];

/** Routes that need no bearer token, and so are outside the policy: the request carries its own credential, or none is needed. */
export const PUBLIC_DOORS: readonly (Door & { why: string })[] = [
  { api: "v1", method: "POST", path: "/Invitations/Accept", why: "the invitee's emailed single-use token is the credential" },
  { api: "v1", method: "POST", path: "/Invitations/Preview", why: "the same token shows what accepting it gives (the accept page); it changes nothing and answers a token Accept refuses as Accept does" },
  { api: "v1", method: "GET", path: "/openapi.json", why: "the API's description" },
  { api: "root", method: "POST", path: "/oauth/token", why: "the OAuth 2.0 token endpoint: the client's id and secret are the credential (docs/oauth.md)" },
  { api: "root", method: "GET", path: "/.well-known/oauth-authorization-server", why: "the authorization server's metadata (RFC 8414)" },
  { api: "root", method: "POST", path: "/events/poll", why: "RFC 8936 poll of an event stream: the stream's own poll credential (shown once when it was made) is the credential, and names the stream" },
  { api: "root", method: "GET", path: "/events/jwks.json", why: "the public key SETs are signed with (RFC 7517), for receivers to verify them" },
];

export const RULES: ReadonlyMap<string, ActionRule> = new Map(POLICY.map((r) => [r.id, r]));
