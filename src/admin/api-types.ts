/**
 * Generated from the /v1 OpenAPI document (src/http/v1: the routes' zod schemas) by
 * scripts/render-admin-types.ts, run by npm run build; test/admin/api-types.test.ts fails when
 * this file is stale. Do not edit by hand: src/admin/types.ts names the types the pages use.
 */
export interface paths {
    "/Accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the organization's managed accounts */
        get: operations["listAccounts"];
        put?: never;
        /** Create a managed account (Standard Users may too) */
        post: operations["createAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Accounts/{sid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Fetch an account */
        get: operations["getAccount"];
        put?: never;
        /** Rename an account or change its owner */
        post: operations["updateAccount"];
        /** Close an account (its direct roles end) */
        delete: operations["closeAccount"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Accounts/{sid}/Invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Invite an email (any domain) to an account; a managed user gets the roles at once */
        post: operations["createAccountInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Accounts/{sid}/Reopen": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reopen a closed account (an Owner or Administrator of the organization); direct roles do not come back, the identity provider's groups bound to its roles grant again (listed in the answer) */
        post: operations["reopenAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Accounts/{sid}/Users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's users and their effective roles, by user sid; its owner among them (owner: true), with a role there or not */
        get: operations["listAccountUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/AuditEvents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit trail, newest first: the events this store recorded, or with Imported=true the history an import copied from elsewhere (never mixed). Filters: Action, TargetSid, Actor (a user's sid: whatever acted for them; or a credential: a token's or OAuth client's sid, operator:<command>), Outcome, From and To (ISO 8601 date-times: From inclusive, To exclusive), combined; every filter is answered from an index and pages with PageSize and PageToken to the last matching event */
        get: operations["listAuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Domains": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the organization's domains */
        get: operations["listDomains"];
        put?: never;
        /** Add a domain; answers the DNS TXT record that verifies it */
        post: operations["createDomain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Domains/{sid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Fetch a domain */
        get: operations["getDomain"];
        put?: never;
        post?: never;
        /** Remove a domain (users already provisioned stay) */
        delete: operations["removeDomain"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Domains/{sid}/Verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Look for the domain's DNS TXT token now */
        post: operations["verifyDomain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/EventStreams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's SCIM event streams (RFC 9967 receivers), oldest first */
        get: operations["listEventStreams"];
        put?: never;
        /** Add an event stream: every later change to the organization's users, groups and memberships becomes a signed SET for it, pushed to endpoint_url (RFC 8935) or polled (RFC 8936) with the poll credential in this response only */
        post: operations["createEventStream"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/EventStreams/{sid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One event stream, with the SETs it is still owed or its receiver refused */
        get: operations["getEventStream"];
        put?: never;
        post?: never;
        /** Delete an event stream: no more SETs are written for it, and those it was owed are dropped */
        delete: operations["deleteEventStream"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The groups the identity provider pushes over SCIM (built-in role groups left out), each with its binding and member count; read-only (groups change through SCIM). Account narrows to the groups bound to a role on that account (those a reopen makes grant again) */
        get: operations["listGroups"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Groups/{sid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Fetch a group (built-in role groups too), with its binding and member count */
        get: operations["getGroup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Groups/{sid}/Members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A group's members, paged in the order they were added, with their names */
        get: operations["listGroupMemberships"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's invitations, optionally by Status */
        get: operations["listInvitations"];
        put?: never;
        /** Invite an email to the organization (Owner/Administrator; a verified domain under domain enforcement) */
        post: operations["createInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Invitations/{sid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Fetch an invitation */
        get: operations["getInvitation"];
        put?: never;
        post?: never;
        /** Revoke an invitation; a user created only for it is removed */
        delete: operations["revokeInvitation"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Invitations/{sid}/Resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send the invitation again with a new token (the old one stops working) and a new expiry */
        post: operations["resendInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Invitations/Accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept an invitation with the token from its email (no bearer token: the token is the credential; it works once) */
        post: operations["acceptInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Invitations/Preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** What an invitation offers, with the token from its email (no bearer token; changes nothing): the accept page shows it. A token Accept would refuse gets Accept's answer */
        post: operations["getInvitationPreview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the caller is (token, user, org role, account roles) and what the policy allows it, action by action, generated from the policy table; the server still decides every request */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/OAuthClients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's OAuth clients (never their secrets), oldest first */
        get: operations["listOAuthClients"];
        put?: never;
        /** Create an OAuth client (client credentials; for an identity provider: scopes ["scim"]), acting for no user or for the caller themself, never stronger than the caller; the secret is in this response only */
        post: operations["createOAuthClient"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/OAuthClients/{sid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One OAuth client (never its secret or the secret's hash): where a create's Location points */
        get: operations["getOAuthClient"];
        put?: never;
        post?: never;
        /** Delete an OAuth client; it and its access tokens stop working at once */
        delete: operations["deleteOAuthClient"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Organization": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's organization */
        get: operations["getOrganization"];
        put?: never;
        /** Update the organization's settings */
        post: operations["updateOrganization"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Outbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's mail, newest first, with what happened to each (queued, sent, failed, cancelled); never a body. Status narrows to one state */
        get: operations["listOutbox"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ProvisioningErrors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The SCIM requests (and /Bulk operations) refused for their content (400, 409, 412, 413), newest first: reason, status, credential, target; never a body. Bounded per organization; refusals by the policy are audit events */
        get: operations["listProvisioningErrors"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ProvisioningErrors/Counts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How many provisioning errors the organization ever recorded, keeps now, and dropped (the bound keeps the newest, for a limited time) */
        get: operations["getProvisioningErrorCounts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/RoleAssignments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Direct role assignments of a user (UserSid) or on an account (AccountSid) */
        get: operations["listRoleAssignments"];
        put?: never;
        /** Grant an account role (Administrator clears the others) */
        post: operations["createRoleAssignment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/RoleAssignments/{sid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Fetch a role assignment */
        get: operations["getRoleAssignment"];
        put?: never;
        post?: never;
        /** Revoke a role assignment */
        delete: operations["revokeRoleAssignment"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's API tokens (never their secrets), oldest first */
        get: operations["listTokens"];
        put?: never;
        /** Create a token (for an identity provider: scopes ["scim"]), acting for no user or for the caller themself, never stronger than the caller; the secret is in this response only */
        post: operations["createToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Tokens/{sid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One token (never its secret or the secret's hash): where a create's Location points */
        get: operations["getToken"];
        put?: never;
        post?: never;
        /** Revoke a token; it stops working at once */
        delete: operations["revokeToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Tokens/{sid}/Rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate a token: a new one with its name, scopes and user, made by the caller (its secret in this response only), and the old one expiring after overlap_seconds, so the holder switches without a gap; a token acting for a user is rotated only by that user */
        post: operations["rotateToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organization's users by Status: managed, pending (invited) or independent (account access only); Search narrows by a userName or email prefix */
        get: operations["listUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Users/{sid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Fetch a user of the organization: managed, pending, or independent (account access only) */
        get: operations["getUser"];
        put?: never;
        /** Update a user's name, org role (owner transfers ownership) or two-factor requirement; the names of a user the identity provider manages only with override_identity_provider */
        post: operations["updateUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Users/{sid}/Accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The accounts a user can access or owns (the console's Accounts tab), optionally by Role; independent users (account access only) too */
        get: operations["listUserAccounts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Users/{sid}/Delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete a user: irreversible; their data is erased, their accounts pass to new_owner_sid */
        post: operations["deleteUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Users/{sid}/PasswordReset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Require a managed user to choose a new password at the next sign-in, and mail them */
        post: operations["requirePasswordReset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/Users/{sid}/Remove": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remove a user from the organization: they keep their login and anything outside it; their accounts pass to new_owner_sid */
        post: operations["removeUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Account: {
            date_created: string;
            date_updated: string;
            friendly_name: string;
            owner_sid: string;
            sid: string;
            /** @enum {string} */
            status: "active" | "closed";
        };
        AccountCreate: {
            friendly_name: string;
            owner_sid?: string;
        };
        AccountInvitationCreate: {
            email: string;
            roles: ("administrator" | "billing_manager" | "developer" | "support")[];
        };
        AccountInvitationResult: {
            account_sid: string;
            invitation: components["schemas"]["Invitation"] | null;
            /** @enum {string} */
            outcome: "invited" | "granted";
            roles: ("administrator" | "billing_manager" | "developer" | "support")[];
            user_sid: string;
        };
        AccountList: {
            accounts: components["schemas"]["Account"][];
            meta: components["schemas"]["PageMeta"];
        };
        AccountReopen: {
            /** @description A new owner, when the closed account's owner can no longer own it (left, suspended, deleted) */
            owner_sid?: string;
        };
        AccountReopened: {
            date_created: string;
            date_updated: string;
            friendly_name: string;
            /** @description The identity provider's groups bound to a role on the account: their members hold those roles again from now on (empty when the account was not closed) */
            groups_granting_again: components["schemas"]["Group"][];
            owner_sid: string;
            sid: string;
            /** @enum {string} */
            status: "active" | "closed";
        };
        AccountUpdate: {
            friendly_name?: string;
            owner_sid?: string;
        };
        AccountUser: {
            display_name: string | null;
            /** @description The account's owner (listed with or without a role there) */
            owner: boolean;
            roles: ("administrator" | "billing_manager" | "developer" | "support")[];
            status: string;
            user_name: string;
            user_sid: string;
        };
        AccountUserList: {
            meta: components["schemas"]["PageMeta"];
            users: components["schemas"]["AccountUser"][];
        };
        AuditEvent: {
            action: string;
            actor: string;
            after: unknown;
            before: unknown;
            date_created: string;
            /** @description Imported history (orgscim import or migrate): when this store took the event, and from what. null: an event this store recorded */
            imported: {
                date_imported: string;
                source: string;
            } | null;
            /** @enum {string} */
            outcome: "success" | "refused";
            reason: string | null;
            sid: string;
            target_sid: string | null;
            target_type: string;
        };
        AuditEventList: {
            audit_events: components["schemas"]["AuditEvent"][];
            meta: components["schemas"]["PageMeta"];
        };
        Domain: {
            /** Format: date-time */
            date_created: string;
            /** @description When the domain is removed unless verified: 72 h after creation while pending, 30 days after re-validation started while revalidating */
            date_expires: string | null;
            /** @description When the periodic re-check stopped finding the token */
            date_revalidation_started: string | null;
            date_verified: string | null;
            domain_name: string;
            sid: string;
            /** @enum {string} */
            state: "pending" | "verified" | "revalidating" | "removed";
            verification: components["schemas"]["DomainVerification"];
        };
        DomainCreate: {
            /** @description The domain, e.g. example.com; stored in lower case */
            domain_name: string;
        };
        DomainList: {
            domains: components["schemas"]["Domain"][];
            meta: components["schemas"]["PageMeta"];
        };
        DomainVerification: {
            /** @description Also accepted: the same value at the domain's apex */
            apex_record_name: string;
            /** @constant */
            method: "dns_txt";
            /** @description Create the TXT record here */
            record_name: string;
            /** @constant */
            record_type: "TXT";
            record_value: string;
            ttl: number;
        };
        DomainVerifyResult: {
            /** Format: date-time */
            date_created: string;
            /** @description When the domain is removed unless verified: 72 h after creation while pending, 30 days after re-validation started while revalidating */
            date_expires: string | null;
            /** @description When the periodic re-check stopped finding the token */
            date_revalidation_started: string | null;
            date_verified: string | null;
            domain_name: string;
            /** @description What the check found and, when the token is missing, which record to create */
            message: string;
            record_found: boolean;
            sid: string;
            /** @enum {string} */
            state: "pending" | "verified" | "revalidating" | "removed";
            verification: components["schemas"]["DomainVerification"];
        };
        EndMembership: {
            /** @constant */
            acknowledge: true;
            new_owner_sid?: string;
        };
        EndMembershipResult: {
            accounts_handed_over: {
                account_sid: string;
                new_owner_sid: string;
            }[];
            /** @enum {string} */
            action: "removed" | "deleted";
            sid: string;
        };
        Error: {
            code: number;
            message: string;
            more_info: string;
            status: number;
        };
        EventStream: {
            /** @description The `aud` of this stream's SETs */
            audience: string;
            created_by: string;
            date_created: string;
            date_deleted: string | null;
            /** @enum {string} */
            delivery: "push" | "poll";
            /** @description push: where SETs are POSTed (RFC 8935); null for poll */
            endpoint_url: string | null;
            friendly_name: string;
            /** @description The `iss` of this stream's SETs when PUBLIC_URL is set (else the server's own URL) */
            issuer: string;
            /** @description The public key the SETs are signed with (ES256) */
            jwks_uri: string;
            /** @description poll: where the receiver polls (RFC 8936); null for push */
            poll_url: string | null;
            sid: string;
        };
        EventStreamCreate: {
            /** @enum {string} */
            delivery: "push" | "poll";
            /** @description push only: the receiver's https URL, on a public address */
            endpoint_url?: string;
            friendly_name: string;
        };
        EventStreamCreated: {
            /** @description The `aud` of this stream's SETs */
            audience: string;
            created_by: string;
            date_created: string;
            date_deleted: string | null;
            /** @enum {string} */
            delivery: "push" | "poll";
            /** @description push: where SETs are POSTed (RFC 8935); null for poll */
            endpoint_url: string | null;
            friendly_name: string;
            /** @description The `iss` of this stream's SETs when PUBLIC_URL is set (else the server's own URL) */
            issuer: string;
            /** @description The public key the SETs are signed with (ES256) */
            jwks_uri: string;
            /** @description poll: the receiver's credential (Authorization: Bearer), shown only in this response; orgscim keeps only its hash */
            poll_credential: string | null;
            /** @description poll: where the receiver polls (RFC 8936); null for push */
            poll_url: string | null;
            sid: string;
        };
        EventStreamDetail: {
            /** @description The `aud` of this stream's SETs */
            audience: string;
            created_by: string;
            date_created: string;
            date_deleted: string | null;
            /** @enum {string} */
            delivery: "push" | "poll";
            /** @description push: where SETs are POSTed (RFC 8935); null for poll */
            endpoint_url: string | null;
            /** @description The oldest of them: for push, the one the stream's later SETs wait behind; null: none */
            first_undelivered: {
                attempts: number;
                date_created: string;
                jti: string;
                last_error: string | null;
                next_attempt: string;
                /**
                 * @description pending: still owed (push: retried after next_attempt; poll: answered until acknowledged); failed: the receiver refused it (push 400, poll setErrs)
                 * @enum {string}
                 */
                status: "pending" | "failed";
                /** @description sub_id.uri: the resource the SET is about */
                subject: string;
            } | null;
            friendly_name: string;
            /** @description The `iss` of this stream's SETs when PUBLIC_URL is set (else the server's own URL) */
            issuer: string;
            /** @description The public key the SETs are signed with (ES256) */
            jwks_uri: string;
            /** @description poll: where the receiver polls (RFC 8936); null for push */
            poll_url: string | null;
            sid: string;
            /** @description How many SETs it is still owed or its receiver refused (counted up to 1,000) */
            undelivered_count: number;
        };
        EventStreamList: {
            event_streams: components["schemas"]["EventStream"][];
            meta: components["schemas"]["PageMeta"];
        };
        Group: {
            binding: components["schemas"]["GroupBinding"] | null;
            /** @description A built-in role group (an org role's, or an account role's): its members are the role's holders */
            built_in: boolean;
            date_created: string;
            date_updated: string;
            display_name: string;
            /** @description The identity provider's id for the group */
            external_id: string | null;
            member_count: number;
            sid: string;
        };
        /** @description What membership of the group grants; null when it grants nothing */
        GroupBinding: {
            /** @description kind account_role: the role its members hold on the account */
            account_role: ("administrator" | "billing_manager" | "developer" | "support") | null;
            /** @description kind account_role: the account */
            account_sid: string | null;
            /** @enum {string} */
            kind: "org_role" | "account_role";
            /** @description kind org_role: the org role its members hold */
            org_role: ("owner" | "administrator" | "standard") | null;
        };
        GroupList: {
            groups: components["schemas"]["Group"][];
            meta: components["schemas"]["PageMeta"];
        };
        GroupMembership: {
            active: boolean | null;
            date_added: string;
            display_name: string | null;
            /** @description The SCIM GroupMember's id */
            membership_sid: string;
            status: ("managed" | "pending" | "independent") | null;
            /** @description null when the user is no longer in the organization */
            user_name: string | null;
            user_sid: string;
        };
        GroupMembershipList: {
            members: components["schemas"]["GroupMembership"][];
            meta: components["schemas"]["PageMeta"];
        };
        Invitation: {
            account_sid: string | null;
            date_accepted: string | null;
            date_created: string;
            date_expires: string;
            date_revoked: string | null;
            email: string;
            /** @enum {string} */
            kind: "organization" | "account";
            /** @description The newest invitation mail for it, from the outbox (null: none recorded) */
            mail: components["schemas"]["MailState"] | null;
            /** @description A user was created in this organization for this invitation (else an independent user of this organization was invited). Says nothing about other organizations. */
            new_user: boolean;
            org_role: ("owner" | "administrator" | "standard") | null;
            roles: ("administrator" | "billing_manager" | "developer" | "support")[];
            sid: string;
            /** @enum {string} */
            status: "pending" | "accepted" | "revoked" | "expired";
            user_sid: string;
        };
        InvitationAccept: {
            token: string;
        };
        InvitationAcceptResult: {
            account_sid: string | null;
            invitation_sid: string;
            /** @enum {string} */
            kind: "organization" | "account";
            org_role: ("owner" | "administrator" | "standard") | null;
            organization_sid: string;
            roles: ("administrator" | "billing_manager" | "developer" | "support")[];
            /** @enum {string} */
            status: "managed" | "pending" | "independent";
            user_sid: string;
        };
        InvitationCreate: {
            email: string;
            /** @enum {string} */
            org_role: "administrator" | "standard";
        };
        InvitationList: {
            invitations: components["schemas"]["Invitation"][];
            meta: components["schemas"]["PageMeta"];
        };
        InvitationPreview: {
            /** @description Account invitations: the account accepting gives access to */
            account: {
                friendly_name: string;
                sid: string;
            } | null;
            date_expires: string;
            /** @description The invited address: accepting acts for it, whoever presses the button */
            email: string;
            /** @description Who sent (or last resent) it, when that was a person; null when the organization's service token or operator did */
            invited_by: {
                email: string | null;
                name: string;
            } | null;
            /** @enum {string} */
            kind: "organization" | "account";
            /** @description Organization invitations: the org role accepting gives */
            org_role: ("owner" | "administrator" | "standard") | null;
            organization: {
                friendly_name: string;
                sid: string;
            };
            /** @description Account invitations: the roles accepting grants */
            roles: ("administrator" | "billing_manager" | "developer" | "support")[];
        };
        InvitationRevokeResult: {
            invitation: components["schemas"]["Invitation"];
            /** @enum {string} */
            member: "kept" | "removed" | "independent";
        };
        MailState: {
            attempts: number;
            /** @description When a queued mail is tried next */
            date_next_attempt: string | null;
            date_sent: string | null;
            /** @description The mail server's last answer when a try failed */
            last_error: string | null;
            sid: string;
            /** @enum {string} */
            status: "queued" | "sent" | "failed" | "cancelled";
        };
        Me: {
            /** @description By account sid: the roles the caller holds there (directly or through a group); an open account only counts while open */
            account_roles: {
                [key: string]: ("administrator" | "billing_manager" | "developer" | "support")[];
            };
            /** @description By the policy's action id (docs/authorization.md): every action of the policy table */
            actions: {
                [key: string]: {
                    /** @description The kinds of target the caller may act on; any other kind is refused (403) */
                    allowed_targets: ("organization" | "self" | "standard" | "administrator" | "owner" | "group" | "administered" | "member" | "other" | "orgInvitation" | "newService" | "newSelf" | "newOtherUser" | "newWider" | "ownToken" | "tokenStandard" | "tokenAdministrator" | "tokenOwner")[];
                    /** @description Why the other kinds are refused; null when none is */
                    refused_because: string | null;
                    /** @description Kinds among allowed_targets that an invariant of the action refuses this caller whatever the target (nobody removes themselves; the Owner is never deactivated, removed or deleted): answered 400 or 409, with the rule's words */
                    ruled_out: {
                        rule: string;
                        /** @enum {string} */
                        target: "organization" | "self" | "standard" | "administrator" | "owner" | "group" | "administered" | "member" | "other" | "orgInvitation" | "newService" | "newSelf" | "newOtherUser" | "newWider" | "ownToken" | "tokenStandard" | "tokenAdministrator" | "tokenOwner";
                    }[];
                    what: string;
                };
            };
            /**
             * @description The org role whose column of the policy applies: the user's effective role, no more than the token's ceiling
             * @enum {string}
             */
            org_role: "owner" | "administrator" | "standard";
            organization_sid: string;
            /** @description The columns of the policy every request must pass (docs/authorization.md) */
            policy_columns: ("owner" | "administrator" | "standard" | "idp" | "operator")[];
            scopes: ("scim" | "admin")[];
            /** @description The credential making the request: a token (TK…) or an OAuth access token */
            token_sid: string;
            /** @description The user the token acts for; null for a token acting for no user */
            user: {
                display_name: string | null;
                sid: string;
                user_name: string;
            } | null;
        };
        Member: {
            active: boolean;
            date_created: string;
            date_updated: string;
            display_name: string | null;
            email: string | null;
            /** @description The identity provider's id for the user (SCIM externalId); null: none */
            external_id: string | null;
            family_name: string | null;
            given_name: string | null;
            /** @description Whether the identity provider manages this user: it has an externalId, which only SCIM (or an import of the identity provider's records) sets. The identity provider's next update overwrites user_name, the names, emails and active: change those there */
            managed_by_idp: boolean;
            org_role: ("owner" | "administrator" | "standard") | null;
            sid: string;
            /** @enum {string} */
            status: "managed" | "pending" | "independent";
            user_name: string;
        };
        MemberList: {
            meta: components["schemas"]["PageMeta"];
            users: components["schemas"]["Member"][];
        };
        OAuthClient: {
            /** @description The most it may do: the org role of whoever made it, when they made it; lowered to their role now */
            ceiling: ("owner" | "administrator" | "standard") | null;
            /** @description Who made it: operator, or the sid of the token (or client) that made it */
            created_by: string | null;
            date_created: string;
            date_deleted: string | null;
            /** @description When its secret stops working; null: never */
            date_expires: string | null;
            /** @description When a request last authenticated with one of its access tokens, recorded at most once a minute per instance; null: not since last use was recorded */
            date_last_used: string | null;
            friendly_name: string;
            /** @description The client address of that request */
            last_used_address: string | null;
            scopes: ("scim" | "admin")[];
            /** @description The client's id (client_id at the token endpoint) */
            sid: string;
            /** @description The user it acts for; null: no user */
            user_sid: string | null;
        };
        OAuthClientCreate: {
            /**
             * Format: date-time
             * @description When its secret stops working (ISO 8601, in the future); absent: never
             */
            date_expires?: string;
            friendly_name: string;
            scopes: ("scim" | "admin")[];
            user_sid?: string;
        };
        OAuthClientCreated: {
            /** @description The most it may do: the org role of whoever made it, when they made it; lowered to their role now */
            ceiling: ("owner" | "administrator" | "standard") | null;
            /** @description The same as sid */
            client_id: string;
            /** @description The secret, shown only in this response; orgscim keeps only its hash. */
            client_secret: string;
            /** @description Who made it: operator, or the sid of the token (or client) that made it */
            created_by: string | null;
            date_created: string;
            date_deleted: string | null;
            /** @description When its secret stops working; null: never */
            date_expires: string | null;
            /** @description When a request last authenticated with one of its access tokens, recorded at most once a minute per instance; null: not since last use was recorded */
            date_last_used: string | null;
            friendly_name: string;
            /** @description The client address of that request */
            last_used_address: string | null;
            scopes: ("scim" | "admin")[];
            /** @description The client's id (client_id at the token endpoint) */
            sid: string;
            /** @description Where the client asks for access tokens (grant_type=client_credentials) */
            token_endpoint: string;
            /** @description The user it acts for; null: no user */
            user_sid: string | null;
        };
        OAuthClientList: {
            meta: components["schemas"]["PageMeta"];
            oauth_clients: components["schemas"]["OAuthClient"][];
        };
        Organization: {
            date_created: string;
            date_updated: string;
            /** @enum {string} */
            deprovision: "remove" | "delete";
            domain_enforcement: boolean;
            expose_role_groups: boolean;
            friendly_name: string;
            /**
             * @description Over HTTP: smtp when this server sends mail (SMTP_URL is set), none when invitation and other mail stays queued in the outbox and nobody receives it
             * @enum {string}
             */
            mail_delivery?: "smtp" | "none";
            /** @enum {string} */
            scim_profile: "compatible" | "strict";
            sid: string;
            successor_user_sid: string | null;
        };
        OrganizationUpdate: {
            /** @enum {string} */
            deprovision?: "remove" | "delete";
            domain_enforcement?: boolean;
            expose_role_groups?: boolean;
            /** @enum {string} */
            scim_profile?: "compatible" | "strict";
            successor_user_sid?: string | null;
        };
        OutboxMail: {
            /** @description What the mail is about: the invitation (IV…) or the user (US…) */
            about_sid: string | null;
            /** @description Tries so far */
            attempts: number;
            date_created: string;
            /** @description When a queued mail is tried next */
            date_next_attempt: string | null;
            date_sent: string | null;
            /** @enum {string} */
            kind: "invitation" | "welcome" | "password_reset";
            /** @description The mail server's last answer when a try failed */
            last_error: string | null;
            sid: string;
            /** @enum {string} */
            status: "queued" | "sent" | "failed" | "cancelled";
            subject: string;
            to: string;
        };
        OutboxMailList: {
            mail: components["schemas"]["OutboxMail"][];
            meta: components["schemas"]["PageMeta"];
        };
        PageMeta: {
            first_page_url: string;
            /** @description The name of the list's array in this body */
            key: string;
            /** @description null on the last page */
            next_page_url: string | null;
            /** @description The page's number, from 0 */
            page: number;
            page_size: number;
            /** @description null on the first page; on a list read by a forward-only cursor (AuditEvents) also from the third page on: go back to first_page_url */
            previous_page_url: string | null;
            url: string;
        };
        PasswordResetResult: {
            mail_sid: string;
            /** @constant */
            password_reset_required: true;
            user_sid: string;
        };
        ProvisioningError: {
            /** @description An operation of a /Bulk request */
            bulk: boolean;
            /** @description orgscim's error code (docs/errors.md; the X-Orgscim-Error-Code header) */
            code: number;
            /** @description Who sent it, as the audit log names an actor: the token (TK…) or OAuth client, and the user it acts for (…/US…) */
            credential: string;
            date_created: string;
            /** @description The externalId the request gave, if any */
            external_id: string | null;
            method: string;
            /** @description The organization's number for this record: 1 for its first, counting the dropped ones */
            number: number;
            /** @description Under /scim/v2; for a /Bulk operation, the operation's path */
            path: string;
            /** @description What orgscim answered was wrong, and what to do */
            reason: string;
            /** @description The RFC 7644 §3.12 scimType answered, if any */
            scim_type: string | null;
            /** @description The HTTP status orgscim answered (of the /Bulk operation, for one) */
            status: number;
            /** @description The userName (a group: displayName) the request gave, if any */
            target_name: string | null;
        };
        ProvisioningErrorCounts: {
            /** @description How many were dropped by the bound, the oldest first */
            dropped: number;
            /** @description How many the organization ever recorded */
            recorded: number;
            /** @description How many are kept now (PROVISIONING_ERRORS_KEPT at most, none older than PROVISIONING_ERRORS_DAYS) */
            retained: number;
        };
        ProvisioningErrorList: {
            meta: components["schemas"]["PageMeta"];
            provisioning_errors: components["schemas"]["ProvisioningError"][];
        };
        RoleAssignment: {
            account_sid: string;
            /** @enum {string} */
            role: "administrator" | "billing_manager" | "developer" | "support";
            sid: string;
            user_sid: string;
        };
        RoleAssignmentCreate: {
            account_sid: string;
            /** @enum {string} */
            role: "administrator" | "billing_manager" | "developer" | "support";
            user_sid: string;
        };
        RoleAssignmentList: {
            meta: components["schemas"]["PageMeta"];
            role_assignments: components["schemas"]["RoleAssignment"][];
        };
        Token: {
            /** @description The most it may do: the org role of whoever made it, when they made it; lowered to their role now */
            ceiling: ("owner" | "administrator" | "standard") | null;
            /** @description Who made it: operator (the orgscim command, the bootstrap token), or the sid of the token that made it */
            created_by: string | null;
            date_created: string;
            /** @description When it stops working; null: never (tokens made before expiry existed, or made with date_expires null) */
            date_expires: string | null;
            /** @description When a request last authenticated with it, recorded at most once a minute per instance (so up to a minute behind); null: not since last use was recorded */
            date_last_used: string | null;
            date_revoked: string | null;
            friendly_name: string;
            /** @description The client address of that request (as TRUST_PROXY resolves it) */
            last_used_address: string | null;
            scopes: ("scim" | "admin")[];
            sid: string;
            user_sid: string | null;
        };
        TokenCreate: {
            /** @description When it stops working (ISO 8601, in the future); null: never; absent: after TOKEN_TTL_DAYS (default 365 days) */
            date_expires?: string | null;
            friendly_name: string;
            scopes: ("scim" | "admin")[];
            user_sid?: string;
        };
        TokenCreated: {
            /** @description The most it may do: the org role of whoever made it, when they made it; lowered to their role now */
            ceiling: ("owner" | "administrator" | "standard") | null;
            /** @description Who made it: operator (the orgscim command, the bootstrap token), or the sid of the token that made it */
            created_by: string | null;
            date_created: string;
            /** @description When it stops working; null: never (tokens made before expiry existed, or made with date_expires null) */
            date_expires: string | null;
            /** @description When a request last authenticated with it, recorded at most once a minute per instance (so up to a minute behind); null: not since last use was recorded */
            date_last_used: string | null;
            date_revoked: string | null;
            friendly_name: string;
            /** @description The client address of that request (as TRUST_PROXY resolves it) */
            last_used_address: string | null;
            scopes: ("scim" | "admin")[];
            sid: string;
            /** @description The secret, shown only in this response; orgscim keeps only its hash. */
            token: string;
            user_sid: string | null;
        };
        TokenList: {
            meta: components["schemas"]["PageMeta"];
            tokens: components["schemas"]["Token"][];
        };
        TokenRotate: {
            /** @description When the new token stops working (ISO 8601, in the future); null: never; absent: after TOKEN_TTL_DAYS */
            date_expires?: string | null;
            /** @description How long the old token keeps working (default 86400, a day; at most 7 days); 0: it stops now */
            overlap_seconds?: number;
        };
        TokenRotated: {
            /** @description The most it may do: the org role of whoever made it, when they made it; lowered to their role now */
            ceiling: ("owner" | "administrator" | "standard") | null;
            /** @description Who made it: operator (the orgscim command, the bootstrap token), or the sid of the token that made it */
            created_by: string | null;
            date_created: string;
            /** @description When it stops working; null: never (tokens made before expiry existed, or made with date_expires null) */
            date_expires: string | null;
            /** @description When a request last authenticated with it, recorded at most once a minute per instance (so up to a minute behind); null: not since last use was recorded */
            date_last_used: string | null;
            date_revoked: string | null;
            friendly_name: string;
            /** @description The client address of that request (as TRUST_PROXY resolves it) */
            last_used_address: string | null;
            /** @description When the old token stops working */
            replaced_token_expires: string;
            /** @description The old token's sid */
            replaces: string;
            scopes: ("scim" | "admin")[];
            sid: string;
            /** @description The secret, shown only in this response; orgscim keeps only its hash. */
            token: string;
            user_sid: string | null;
        };
        User: {
            active: boolean;
            date_created: string;
            date_updated: string;
            direct_org_role: ("owner" | "administrator" | "standard") | null;
            display_name: string | null;
            email: string | null;
            /** @description The identity provider's id for the user (SCIM externalId); null: none */
            external_id: string | null;
            family_name: string | null;
            given_name: string | null;
            /** @description Whether the identity provider manages this user: it has an externalId, which only SCIM (or an import of the identity provider's records) sets. The identity provider's next update overwrites user_name, the names, emails and active: change those there */
            managed_by_idp: boolean;
            /** @description The effective org role; null for an independent user, who holds none (account roles only) */
            org_role: ("owner" | "administrator" | "standard") | null;
            password_reset_required: boolean;
            sid: string;
            /** @enum {string} */
            status: "managed" | "pending" | "independent";
            two_factor_required: boolean;
            user_name: string;
        };
        UserAccount: {
            account: components["schemas"]["Account"];
            /** @description The user owns the account (listed even without a role there, unless Role narrows the list) */
            owner: boolean;
            roles: ("administrator" | "billing_manager" | "developer" | "support")[];
        };
        UserAccountList: {
            accounts: components["schemas"]["UserAccount"][];
            meta: components["schemas"]["PageMeta"];
        };
        UserUpdate: {
            display_name?: string | null;
            family_name?: string | null;
            given_name?: string | null;
            /** @enum {string} */
            org_role?: "owner" | "administrator" | "standard";
            /** @description For a user the identity provider manages (managed_by_idp): change display_name, given_name or family_name here anyway, knowing its next update overwrites them; without it such a change is refused (409, code 4012) */
            override_identity_provider?: boolean;
            two_factor_required?: boolean;
        };
    };
    responses: {
        /** @description The request is malformed: a body or parameter the operation refuses (the message names it), or a query parameter it does not take */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The resource's state forbids the change (the message says which and what to do); nothing was changed */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The token may not do this: the message gives the policy's reason, or the scope it lacks */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such resource in the caller's organization (another organization's is answered the same) */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is over BODY_LIMIT */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The store (or DNS, for Verify) cannot be reached; retry later */
        ServiceUnavailable: {
            headers: {
                /** @description Seconds to wait */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Over a request budget, or the server sheds writes while saturated */
        TooManyRequests: {
            headers: {
                /** @description Seconds to wait */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No valid bearer token */
        Unauthorized: {
            headers: {
                /** @description Bearer realm="orgscim" */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is not JSON: send Content-Type application/json */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listAccounts: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
                Status?: "active" | "closed";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "accounts": [
                     *         {
                     *           "sid": "AC001e0000000000000000000000000000",
                     *           "friendly_name": "Acme Labs",
                     *           "owner_sid": "US00070000000000000000000000000000",
                     *           "status": "active",
                     *           "date_created": "2026-01-15T09:00:20.000Z",
                     *           "date_updated": "2026-01-15T09:00:20.000Z"
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 1,
                     *         "first_page_url": "https://scim.example.com/v1/Accounts?PageSize=1",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Accounts?PageSize=1",
                     *         "next_page_url": "https://scim.example.com/v1/Accounts?PageSize=1&PageToken=EXAMPLE-page-token-2",
                     *         "key": "accounts"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["AccountList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "friendly_name": "Acme Labs",
                 *       "owner_sid": "US00070000000000000000000000000000"
                 *     }
                 */
                "application/json": components["schemas"]["AccountCreate"];
            };
        };
        responses: {
            /** @description Created; Location says where */
            201: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "AC001e0000000000000000000000000000",
                     *       "friendly_name": "Acme Labs",
                     *       "owner_sid": "US00070000000000000000000000000000",
                     *       "status": "active",
                     *       "date_created": "2026-01-15T09:00:20.000Z",
                     *       "date_updated": "2026-01-15T09:00:20.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Account"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "AC001e0000000000000000000000000000",
                     *       "friendly_name": "Acme Labs",
                     *       "owner_sid": "US00070000000000000000000000000000",
                     *       "status": "active",
                     *       "date_created": "2026-01-15T09:00:20.000Z",
                     *       "date_updated": "2026-01-15T09:00:20.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Account"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "friendly_name": "Acme Research Labs"
                 *     }
                 */
                "application/json": components["schemas"]["AccountUpdate"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "AC001e0000000000000000000000000000",
                     *       "friendly_name": "Acme Research Labs",
                     *       "owner_sid": "US00070000000000000000000000000000",
                     *       "status": "active",
                     *       "date_created": "2026-01-15T09:00:20.000Z",
                     *       "date_updated": "2026-01-15T09:00:23.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Account"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    closeAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "AC00200000000000000000000000000000",
                     *       "friendly_name": "Acme Archive",
                     *       "owner_sid": "US00070000000000000000000000000000",
                     *       "status": "closed",
                     *       "date_created": "2026-01-15T09:00:20.000Z",
                     *       "date_updated": "2026-01-15T09:00:49.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Account"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createAccountInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "email": "linus@partner.example",
                 *       "roles": [
                 *         "developer",
                 *         "support"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["AccountInvitationCreate"];
            };
        };
        responses: {
            /** @description Success: nothing new was created */
            200: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "outcome": "invited",
                     *       "user_sid": "US00390000000000000000000000000000",
                     *       "account_sid": "AC001e0000000000000000000000000000",
                     *       "roles": [
                     *         "developer",
                     *         "support"
                     *       ],
                     *       "invitation": {
                     *         "sid": "IV003a0000000000000000000000000000",
                     *         "email": "linus@partner.example",
                     *         "kind": "account",
                     *         "status": "pending",
                     *         "user_sid": "US00390000000000000000000000000000",
                     *         "org_role": null,
                     *         "account_sid": "AC001e0000000000000000000000000000",
                     *         "roles": [
                     *           "developer",
                     *           "support"
                     *         ],
                     *         "new_user": true,
                     *         "date_created": "2026-01-15T09:00:44.000Z",
                     *         "date_expires": "2026-01-22T09:00:44.000Z",
                     *         "date_accepted": null,
                     *         "date_revoked": null,
                     *         "mail": {
                     *           "sid": "EM00000000000000000000000000000001",
                     *           "status": "queued",
                     *           "attempts": 0,
                     *           "date_sent": null,
                     *           "date_next_attempt": "2026-01-15T09:00:44.000Z",
                     *           "last_error": null
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["AccountInvitationResult"];
                };
            };
            /** @description Created; Location says where */
            201: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "outcome": "invited",
                     *       "user_sid": "US00390000000000000000000000000000",
                     *       "account_sid": "AC001e0000000000000000000000000000",
                     *       "roles": [
                     *         "developer",
                     *         "support"
                     *       ],
                     *       "invitation": {
                     *         "sid": "IV003a0000000000000000000000000000",
                     *         "email": "linus@partner.example",
                     *         "kind": "account",
                     *         "status": "pending",
                     *         "user_sid": "US00390000000000000000000000000000",
                     *         "org_role": null,
                     *         "account_sid": "AC001e0000000000000000000000000000",
                     *         "roles": [
                     *           "developer",
                     *           "support"
                     *         ],
                     *         "new_user": true,
                     *         "date_created": "2026-01-15T09:00:44.000Z",
                     *         "date_expires": "2026-01-22T09:00:44.000Z",
                     *         "date_accepted": null,
                     *         "date_revoked": null,
                     *         "mail": {
                     *           "sid": "EM00000000000000000000000000000001",
                     *           "status": "queued",
                     *           "attempts": 0,
                     *           "date_sent": null,
                     *           "date_next_attempt": "2026-01-15T09:00:44.000Z",
                     *           "last_error": null
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["AccountInvitationResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    reopenAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /** @example {} */
                "application/json": components["schemas"]["AccountReopen"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "AC00200000000000000000000000000000",
                     *       "friendly_name": "Acme Archive",
                     *       "owner_sid": "US00070000000000000000000000000000",
                     *       "status": "active",
                     *       "date_created": "2026-01-15T09:00:20.000Z",
                     *       "date_updated": "2026-01-15T09:00:50.000Z",
                     *       "groups_granting_again": []
                     *     }
                     */
                    "application/json": components["schemas"]["AccountReopened"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listAccountUsers: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
            };
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "users": [
                     *         {
                     *           "user_sid": "US00070000000000000000000000000000",
                     *           "user_name": "ada@acme.example",
                     *           "display_name": "Ada Lovelace",
                     *           "status": "managed",
                     *           "roles": [],
                     *           "owner": true
                     *         },
                     *         {
                     *           "user_sid": "US000a0000000000000000000000000000",
                     *           "user_name": "grace@acme.example",
                     *           "display_name": "Grace Hopper",
                     *           "status": "managed",
                     *           "roles": [
                     *             "developer"
                     *           ],
                     *           "owner": false
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/Accounts/AC001e0000000000000000000000000000/Users?PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Accounts/AC001e0000000000000000000000000000/Users?PageSize=2",
                     *         "next_page_url": "https://scim.example.com/v1/Accounts/AC001e0000000000000000000000000000/Users?PageSize=2&PageToken=EXAMPLE-page-token-1",
                     *         "key": "users"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["AccountUserList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listAuditEvents: {
        parameters: {
            query?: {
                Action?: string;
                Actor?: string;
                From?: string;
                Imported?: "true" | "false";
                Outcome?: "success" | "refused";
                PageSize?: number;
                PageToken?: string;
                TargetSid?: string;
                To?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "audit_events": [
                     *         {
                     *           "sid": "AE00210000000000000000000000000000",
                     *           "date_created": "2026-01-15T09:00:20.000Z",
                     *           "actor": "TK00000000000000000000000000000003",
                     *           "action": "account.create",
                     *           "target_type": "Account",
                     *           "target_sid": "AC00200000000000000000000000000000",
                     *           "outcome": "success",
                     *           "before": null,
                     *           "after": {
                     *             "name": "Acme Archive",
                     *             "ownerId": "US00070000000000000000000000000000"
                     *           },
                     *           "reason": null,
                     *           "imported": null
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 1,
                     *         "first_page_url": "https://scim.example.com/v1/AuditEvents?Action=account.create&PageSize=1",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/AuditEvents?Action=account.create&PageSize=1",
                     *         "next_page_url": "https://scim.example.com/v1/AuditEvents?Action=account.create&PageSize=1&PageToken=EXAMPLE-page-token-3",
                     *         "key": "audit_events"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["AuditEventList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listDomains: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "domains": [
                     *         {
                     *           "sid": "DM002b0000000000000000000000000000",
                     *           "domain_name": "acme-labs.example",
                     *           "state": "pending",
                     *           "verification": {
                     *             "method": "dns_txt",
                     *             "record_type": "TXT",
                     *             "record_name": "_orgscim.acme-labs.example",
                     *             "apex_record_name": "acme-labs.example",
                     *             "record_value": "orgscim-domain-verification=00000000000000000000000000000001",
                     *             "ttl": 3600
                     *           },
                     *           "date_created": "2026-01-15T09:00:34.000Z",
                     *           "date_verified": null,
                     *           "date_revalidation_started": null,
                     *           "date_expires": "2026-01-18T09:00:34.000Z"
                     *         },
                     *         {
                     *           "sid": "DM002d0000000000000000000000000000",
                     *           "domain_name": "acme-old.example",
                     *           "state": "pending",
                     *           "verification": {
                     *             "method": "dns_txt",
                     *             "record_type": "TXT",
                     *             "record_name": "_orgscim.acme-old.example",
                     *             "apex_record_name": "acme-old.example",
                     *             "record_value": "orgscim-domain-verification=00000000000000000000000000000002",
                     *             "ttl": 3600
                     *           },
                     *           "date_created": "2026-01-15T09:00:34.000Z",
                     *           "date_verified": null,
                     *           "date_revalidation_started": null,
                     *           "date_expires": "2026-01-18T09:00:34.000Z"
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/Domains?PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Domains?PageSize=2",
                     *         "next_page_url": "https://scim.example.com/v1/Domains?PageSize=2&PageToken=EXAMPLE-page-token-4",
                     *         "key": "domains"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["DomainList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createDomain: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "domain_name": "acme-labs.example"
                 *     }
                 */
                "application/json": components["schemas"]["DomainCreate"];
            };
        };
        responses: {
            /** @description Created; Location says where */
            201: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "DM002b0000000000000000000000000000",
                     *       "domain_name": "acme-labs.example",
                     *       "state": "pending",
                     *       "verification": {
                     *         "method": "dns_txt",
                     *         "record_type": "TXT",
                     *         "record_name": "_orgscim.acme-labs.example",
                     *         "apex_record_name": "acme-labs.example",
                     *         "record_value": "orgscim-domain-verification=00000000000000000000000000000001",
                     *         "ttl": 3600
                     *       },
                     *       "date_created": "2026-01-15T09:00:34.000Z",
                     *       "date_verified": null,
                     *       "date_revalidation_started": null,
                     *       "date_expires": "2026-01-18T09:00:34.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Domain"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getDomain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "DM002b0000000000000000000000000000",
                     *       "domain_name": "acme-labs.example",
                     *       "state": "pending",
                     *       "verification": {
                     *         "method": "dns_txt",
                     *         "record_type": "TXT",
                     *         "record_name": "_orgscim.acme-labs.example",
                     *         "apex_record_name": "acme-labs.example",
                     *         "record_value": "orgscim-domain-verification=00000000000000000000000000000001",
                     *         "ttl": 3600
                     *       },
                     *       "date_created": "2026-01-15T09:00:34.000Z",
                     *       "date_verified": null,
                     *       "date_revalidation_started": null,
                     *       "date_expires": "2026-01-18T09:00:34.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Domain"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    removeDomain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success, no content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    verifyDomain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "DM002b0000000000000000000000000000",
                     *       "domain_name": "acme-labs.example",
                     *       "state": "verified",
                     *       "verification": {
                     *         "method": "dns_txt",
                     *         "record_type": "TXT",
                     *         "record_name": "_orgscim.acme-labs.example",
                     *         "apex_record_name": "acme-labs.example",
                     *         "record_value": "orgscim-domain-verification=00000000000000000000000000000001",
                     *         "ttl": 3600
                     *       },
                     *       "date_created": "2026-01-15T09:00:34.000Z",
                     *       "date_verified": "2026-01-15T09:00:37.000Z",
                     *       "date_revalidation_started": null,
                     *       "date_expires": null,
                     *       "record_found": true,
                     *       "message": "Found the verification token at _orgscim.acme-labs.example. The domain is verified: users with an email on acme-labs.example can be provisioned. Keep the record: the domain is re-checked periodically."
                     *     }
                     */
                    "application/json": components["schemas"]["DomainVerifyResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listEventStreams: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "event_streams": [
                     *         {
                     *           "sid": "ES00000000000000000000000000000002",
                     *           "friendly_name": "HR app",
                     *           "delivery": "poll",
                     *           "endpoint_url": null,
                     *           "audience": "https://scim.example.com/v1/EventStreams/ES00000000000000000000000000000002",
                     *           "issuer": "https://scim.example.com",
                     *           "jwks_uri": "https://scim.example.com/events/jwks.json",
                     *           "poll_url": "https://scim.example.com/events/poll",
                     *           "date_created": "2026-01-15T09:00:16.000Z",
                     *           "date_deleted": null,
                     *           "created_by": "TK00000000000000000000000000000003"
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/EventStreams?PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/EventStreams?PageSize=2",
                     *         "next_page_url": null,
                     *         "key": "event_streams"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["EventStreamList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createEventStream: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "friendly_name": "HR app",
                 *       "delivery": "poll"
                 *     }
                 */
                "application/json": components["schemas"]["EventStreamCreate"];
            };
        };
        responses: {
            /** @description Created; Location says where */
            201: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "ES00000000000000000000000000000002",
                     *       "friendly_name": "HR app",
                     *       "delivery": "poll",
                     *       "endpoint_url": null,
                     *       "audience": "https://scim.example.com/v1/EventStreams/ES00000000000000000000000000000002",
                     *       "issuer": "https://scim.example.com",
                     *       "jwks_uri": "https://scim.example.com/events/jwks.json",
                     *       "poll_url": "https://scim.example.com/events/poll",
                     *       "date_created": "2026-01-15T09:00:16.000Z",
                     *       "date_deleted": null,
                     *       "created_by": "TK00000000000000000000000000000003",
                     *       "poll_credential": "oes_EXAMPLE-poll-credential-shown-once-01"
                     *     }
                     */
                    "application/json": components["schemas"]["EventStreamCreated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getEventStream: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "ES00000000000000000000000000000002",
                     *       "friendly_name": "HR app",
                     *       "delivery": "poll",
                     *       "endpoint_url": null,
                     *       "audience": "https://scim.example.com/v1/EventStreams/ES00000000000000000000000000000002",
                     *       "issuer": "https://scim.example.com",
                     *       "jwks_uri": "https://scim.example.com/events/jwks.json",
                     *       "poll_url": "https://scim.example.com/events/poll",
                     *       "date_created": "2026-01-15T09:00:16.000Z",
                     *       "date_deleted": null,
                     *       "created_by": "TK00000000000000000000000000000003",
                     *       "undelivered_count": 0,
                     *       "first_undelivered": null
                     *     }
                     */
                    "application/json": components["schemas"]["EventStreamDetail"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteEventStream: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success, no content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listGroups: {
        parameters: {
            query?: {
                Account?: string;
                PageSize?: number;
                PageToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "groups": [
                     *         {
                     *           "sid": "GP00420000000000000000000000000000",
                     *           "display_name": "Engineering",
                     *           "external_id": "00g1engineering",
                     *           "built_in": false,
                     *           "binding": {
                     *             "kind": "account_role",
                     *             "org_role": null,
                     *             "account_sid": "AC001e0000000000000000000000000000",
                     *             "account_role": "developer"
                     *           },
                     *           "member_count": 2,
                     *           "date_created": "2026-01-15T09:00:51.000Z",
                     *           "date_updated": "2026-01-15T09:00:51.000Z"
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/Groups?PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Groups?PageSize=2",
                     *         "next_page_url": null,
                     *         "key": "groups"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["GroupList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getGroup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "GP00420000000000000000000000000000",
                     *       "display_name": "Engineering",
                     *       "external_id": "00g1engineering",
                     *       "built_in": false,
                     *       "binding": {
                     *         "kind": "account_role",
                     *         "org_role": null,
                     *         "account_sid": "AC001e0000000000000000000000000000",
                     *         "account_role": "developer"
                     *       },
                     *       "member_count": 2,
                     *       "date_created": "2026-01-15T09:00:51.000Z",
                     *       "date_updated": "2026-01-15T09:00:51.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Group"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listGroupMemberships: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
            };
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "members": [
                     *         {
                     *           "membership_sid": "GM00430000000000000000000000000000",
                     *           "user_sid": "US00070000000000000000000000000000",
                     *           "user_name": "ada@acme.example",
                     *           "display_name": "Ada Lovelace",
                     *           "status": "managed",
                     *           "active": true,
                     *           "date_added": "2026-01-15T09:00:51.000Z"
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 1,
                     *         "first_page_url": "https://scim.example.com/v1/Groups/GP00420000000000000000000000000000/Members?PageSize=1",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Groups/GP00420000000000000000000000000000/Members?PageSize=1",
                     *         "next_page_url": "https://scim.example.com/v1/Groups/GP00420000000000000000000000000000/Members?PageSize=1&PageToken=EXAMPLE-page-token-5",
                     *         "key": "members"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["GroupMembershipList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listInvitations: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
                Status?: "pending" | "accepted" | "revoked" | "expired";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "invitations": [
                     *         {
                     *           "sid": "IV00320000000000000000000000000000",
                     *           "email": "barbara@acme.example",
                     *           "kind": "organization",
                     *           "status": "pending",
                     *           "user_sid": "US00310000000000000000000000000000",
                     *           "org_role": "standard",
                     *           "account_sid": null,
                     *           "roles": [],
                     *           "new_user": true,
                     *           "date_created": "2026-01-15T09:00:39.000Z",
                     *           "date_expires": "2026-01-22T09:00:39.000Z",
                     *           "date_accepted": null,
                     *           "date_revoked": null,
                     *           "mail": {
                     *             "sid": "EM00000000000000000000000000000004",
                     *             "status": "sent",
                     *             "attempts": 1,
                     *             "date_sent": "2026-01-15T09:00:39.000Z",
                     *             "date_next_attempt": null,
                     *             "last_error": null
                     *           }
                     *         },
                     *         {
                     *           "sid": "IV00350000000000000000000000000000",
                     *           "email": "ken@acme.example",
                     *           "kind": "organization",
                     *           "status": "pending",
                     *           "user_sid": "US00340000000000000000000000000000",
                     *           "org_role": "administrator",
                     *           "account_sid": null,
                     *           "roles": [],
                     *           "new_user": true,
                     *           "date_created": "2026-01-15T09:00:39.000Z",
                     *           "date_expires": "2026-01-22T09:00:39.000Z",
                     *           "date_accepted": null,
                     *           "date_revoked": null,
                     *           "mail": {
                     *             "sid": "EM00000000000000000000000000000007",
                     *             "status": "queued",
                     *             "attempts": 0,
                     *             "date_sent": null,
                     *             "date_next_attempt": "2026-01-15T09:00:39.000Z",
                     *             "last_error": null
                     *           }
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/Invitations?Status=pending&PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Invitations?Status=pending&PageSize=2",
                     *         "next_page_url": null,
                     *         "key": "invitations"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["InvitationList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "email": "barbara@acme.example",
                 *       "org_role": "standard"
                 *     }
                 */
                "application/json": components["schemas"]["InvitationCreate"];
            };
        };
        responses: {
            /** @description Created; Location says where */
            201: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "IV00320000000000000000000000000000",
                     *       "email": "barbara@acme.example",
                     *       "kind": "organization",
                     *       "status": "pending",
                     *       "user_sid": "US00310000000000000000000000000000",
                     *       "org_role": "standard",
                     *       "account_sid": null,
                     *       "roles": [],
                     *       "new_user": true,
                     *       "date_created": "2026-01-15T09:00:39.000Z",
                     *       "date_expires": "2026-01-22T09:00:39.000Z",
                     *       "date_accepted": null,
                     *       "date_revoked": null,
                     *       "mail": {
                     *         "sid": "EM00000000000000000000000000000004",
                     *         "status": "queued",
                     *         "attempts": 0,
                     *         "date_sent": null,
                     *         "date_next_attempt": "2026-01-15T09:00:39.000Z",
                     *         "last_error": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "IV00320000000000000000000000000000",
                     *       "email": "barbara@acme.example",
                     *       "kind": "organization",
                     *       "status": "pending",
                     *       "user_sid": "US00310000000000000000000000000000",
                     *       "org_role": "standard",
                     *       "account_sid": null,
                     *       "roles": [],
                     *       "new_user": true,
                     *       "date_created": "2026-01-15T09:00:39.000Z",
                     *       "date_expires": "2026-01-22T09:00:39.000Z",
                     *       "date_accepted": null,
                     *       "date_revoked": null,
                     *       "mail": {
                     *         "sid": "EM00000000000000000000000000000004",
                     *         "status": "sent",
                     *         "attempts": 1,
                     *         "date_sent": "2026-01-15T09:00:39.000Z",
                     *         "date_next_attempt": null,
                     *         "last_error": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    revokeInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "invitation": {
                     *         "sid": "IV00350000000000000000000000000000",
                     *         "email": "ken@acme.example",
                     *         "kind": "organization",
                     *         "status": "revoked",
                     *         "user_sid": "US00340000000000000000000000000000",
                     *         "org_role": "administrator",
                     *         "account_sid": null,
                     *         "roles": [],
                     *         "new_user": true,
                     *         "date_created": "2026-01-15T09:00:39.000Z",
                     *         "date_expires": "2026-01-22T09:00:39.000Z",
                     *         "date_accepted": null,
                     *         "date_revoked": "2026-01-15T09:00:43.000Z",
                     *         "mail": {
                     *           "sid": "EM00000000000000000000000000000007",
                     *           "status": "sent",
                     *           "attempts": 1,
                     *           "date_sent": "2026-01-15T09:00:42.000Z",
                     *           "date_next_attempt": null,
                     *           "last_error": null
                     *         }
                     *       },
                     *       "member": "removed"
                     *     }
                     */
                    "application/json": components["schemas"]["InvitationRevokeResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    resendInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "IV00320000000000000000000000000000",
                     *       "email": "barbara@acme.example",
                     *       "kind": "organization",
                     *       "status": "pending",
                     *       "user_sid": "US00310000000000000000000000000000",
                     *       "org_role": "standard",
                     *       "account_sid": null,
                     *       "roles": [],
                     *       "new_user": true,
                     *       "date_created": "2026-01-15T09:00:39.000Z",
                     *       "date_expires": "2026-01-22T09:00:42.000Z",
                     *       "date_accepted": null,
                     *       "date_revoked": null,
                     *       "mail": {
                     *         "sid": "EM0000000000000000000000000000000a",
                     *         "status": "queued",
                     *         "attempts": 0,
                     *         "date_sent": null,
                     *         "date_next_attempt": "2026-01-15T09:00:42.000Z",
                     *         "last_error": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    acceptInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "oiv_EXAMPLE-invitation-token-from-the-mail-01"
                 *     }
                 */
                "application/json": components["schemas"]["InvitationAccept"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "invitation_sid": "IV00320000000000000000000000000000",
                     *       "kind": "organization",
                     *       "organization_sid": "OR00040000000000000000000000000000",
                     *       "user_sid": "US00310000000000000000000000000000",
                     *       "status": "managed",
                     *       "org_role": "standard",
                     *       "account_sid": null,
                     *       "roles": []
                     *     }
                     */
                    "application/json": components["schemas"]["InvitationAcceptResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getInvitationPreview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "oiv_EXAMPLE-invitation-token-from-the-mail-01"
                 *     }
                 */
                "application/json": components["schemas"]["InvitationAccept"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "kind": "organization",
                     *       "organization": {
                     *         "sid": "OR00040000000000000000000000000000",
                     *         "friendly_name": "Acme Corporation"
                     *       },
                     *       "account": null,
                     *       "roles": [],
                     *       "org_role": "standard",
                     *       "email": "barbara@acme.example",
                     *       "date_expires": "2026-01-22T09:00:42.000Z",
                     *       "invited_by": null
                     *     }
                     */
                    "application/json": components["schemas"]["InvitationPreview"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "organization_sid": "OR00040000000000000000000000000000",
                     *       "token_sid": "TK00000000000000000000000000000003",
                     *       "scopes": [
                     *         "scim",
                     *         "admin"
                     *       ],
                     *       "user": null,
                     *       "org_role": "owner",
                     *       "policy_columns": [
                     *         "owner"
                     *       ],
                     *       "account_roles": {},
                     *       "actions": {
                     *         "user.read": {
                     *           "what": "read a user",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator",
                     *             "owner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "user.list": {
                     *           "what": "list or search the organization's users",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "user.create": {
                     *           "what": "create (provision) a user",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "user.update": {
                     *           "what": "change a user's profile (names, userName, emails, externalId, two-factor and password-reset flags)",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator",
                     *             "owner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "user.deactivate": {
                     *           "what": "deactivate (suspend) a user",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator",
                     *             "owner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": [
                     *             {
                     *               "target": "owner",
                     *               "rule": "The Owner is never deactivated, removed or deleted: transfer ownership first (POST /v1/Users/{sid} org_role owner)"
                     *             }
                     *           ]
                     *         },
                     *         "user.reactivate": {
                     *           "what": "reactivate a suspended user",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator",
                     *             "owner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "user.remove": {
                     *           "what": "remove a user from the organization",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator",
                     *             "owner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": [
                     *             {
                     *               "target": "owner",
                     *               "rule": "The Owner is never deactivated, removed or deleted: transfer ownership first (POST /v1/Users/{sid} org_role owner)"
                     *             }
                     *           ]
                     *         },
                     *         "user.delete": {
                     *           "what": "delete a user (irreversible)",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator",
                     *             "owner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": [
                     *             {
                     *               "target": "owner",
                     *               "rule": "The Owner is never deactivated, removed or deleted: transfer ownership first (POST /v1/Users/{sid} org_role owner)"
                     *             }
                     *           ]
                     *         },
                     *         "user.password_reset": {
                     *           "what": "force a user's password reset",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator",
                     *             "owner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "user.accounts.read": {
                     *           "what": "read the accounts and account roles of a user",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator",
                     *             "owner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "org_role.administrator.grant": {
                     *           "what": "grant the Administrator org role",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "org_role.administrator.revoke": {
                     *           "what": "revoke the Administrator org role",
                     *           "allowed_targets": [
                     *             "self",
                     *             "administrator"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "org_role.owner.grant": {
                     *           "what": "make someone Owner over SCIM",
                     *           "allowed_targets": [],
                     *           "refused_because": "The policy lets the Owner make someone Owner over SCIM on nothing.",
                     *           "ruled_out": []
                     *         },
                     *         "organization.owner.transfer": {
                     *           "what": "transfer the organization's ownership",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "group.read": {
                     *           "what": "read a group",
                     *           "allowed_targets": [
                     *             "group"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "group.list": {
                     *           "what": "list or search groups",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "group.create": {
                     *           "what": "create a group",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "group.update": {
                     *           "what": "rename a group or change its externalId",
                     *           "allowed_targets": [
                     *             "group"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "group.members.update": {
                     *           "what": "change the members of a group that grants nothing (unbound, or bound to Standard User)",
                     *           "allowed_targets": [
                     *             "group"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "group.delete": {
                     *           "what": "delete a group",
                     *           "allowed_targets": [
                     *             "group"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "account.create": {
                     *           "what": "create an account owned by someone",
                     *           "allowed_targets": [
                     *             "self",
                     *             "standard",
                     *             "administrator",
                     *             "owner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "account.read": {
                     *           "what": "read an account",
                     *           "allowed_targets": [
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "account.list": {
                     *           "what": "list the organization's accounts",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "account.update": {
                     *           "what": "rename an account",
                     *           "allowed_targets": [
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "account.owner.change": {
                     *           "what": "change the owner of an account",
                     *           "allowed_targets": [
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "account.close": {
                     *           "what": "close an account",
                     *           "allowed_targets": [
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "account.reopen": {
                     *           "what": "reopen a closed account",
                     *           "allowed_targets": [
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "account.users.read": {
                     *           "what": "read an account's users and their roles",
                     *           "allowed_targets": [
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "role_assignment.create": {
                     *           "what": "grant an account role",
                     *           "allowed_targets": [
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "role_assignment.delete": {
                     *           "what": "revoke an account role",
                     *           "allowed_targets": [
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "role_assignment.read": {
                     *           "what": "read the role assignments of an account",
                     *           "allowed_targets": [
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "invitation.create": {
                     *           "what": "invite someone",
                     *           "allowed_targets": [
                     *             "orgInvitation",
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "invitation.read": {
                     *           "what": "read an invitation",
                     *           "allowed_targets": [
                     *             "orgInvitation",
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "invitation.list": {
                     *           "what": "list the organization's invitations",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "invitation.resend": {
                     *           "what": "resend an invitation",
                     *           "allowed_targets": [
                     *             "orgInvitation",
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "invitation.revoke": {
                     *           "what": "revoke an invitation",
                     *           "allowed_targets": [
                     *             "orgInvitation",
                     *             "administered",
                     *             "member",
                     *             "other"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "organization.read": {
                     *           "what": "read the organization and its settings",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "organization.settings.update": {
                     *           "what": "change the organization's settings",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "domain.create": {
                     *           "what": "add a domain",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "domain.read": {
                     *           "what": "read the organization's domains",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "domain.verify": {
                     *           "what": "verify a domain",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "domain.remove": {
                     *           "what": "remove a domain",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "outbox.read": {
                     *           "what": "read the organization's outbox (what happened to each mail; never a body)",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "viewer.read": {
                     *           "what": "read who they are and what the policy allows them (the Admin Center's viewer)",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "provisioning_errors.read": {
                     *           "what": "read the SCIM requests refused for their content (never a body)",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "audit.read": {
                     *           "what": "read the audit log",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "token.create": {
                     *           "what": "make a token",
                     *           "allowed_targets": [
                     *             "newService",
                     *             "newSelf"
                     *           ],
                     *           "refused_because": "The policy lets the Owner make a token only on a token acting for no user; a token acting for themselves.",
                     *           "ruled_out": []
                     *         },
                     *         "token.list": {
                     *           "what": "list the organization's tokens",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "token.read": {
                     *           "what": "read a token (never its secret)",
                     *           "allowed_targets": [
                     *             "ownToken",
                     *             "tokenStandard",
                     *             "tokenAdministrator",
                     *             "tokenOwner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "token.revoke": {
                     *           "what": "revoke a token",
                     *           "allowed_targets": [
                     *             "ownToken",
                     *             "tokenStandard",
                     *             "tokenAdministrator",
                     *             "tokenOwner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "token.rotate": {
                     *           "what": "rotate a token (a new one in its place; the old one expires after an overlap)",
                     *           "allowed_targets": [
                     *             "ownToken",
                     *             "tokenStandard",
                     *             "tokenAdministrator",
                     *             "tokenOwner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "oauth_client.create": {
                     *           "what": "make an OAuth client",
                     *           "allowed_targets": [
                     *             "newService",
                     *             "newSelf"
                     *           ],
                     *           "refused_because": "The policy lets the Owner make an OAuth client only on a token acting for no user; a token acting for themselves.",
                     *           "ruled_out": []
                     *         },
                     *         "oauth_client.list": {
                     *           "what": "list the organization's OAuth clients",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "oauth_client.read": {
                     *           "what": "read an OAuth client (never its secret)",
                     *           "allowed_targets": [
                     *             "ownToken",
                     *             "tokenStandard",
                     *             "tokenAdministrator",
                     *             "tokenOwner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "oauth_client.delete": {
                     *           "what": "delete an OAuth client",
                     *           "allowed_targets": [
                     *             "ownToken",
                     *             "tokenStandard",
                     *             "tokenAdministrator",
                     *             "tokenOwner"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "event_stream.create": {
                     *           "what": "add an event stream (a receiver of the organization's SCIM events)",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "event_stream.list": {
                     *           "what": "list the organization's event streams",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "event_stream.read": {
                     *           "what": "read an event stream and the SETs it is still owed",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "event_stream.delete": {
                     *           "what": "delete an event stream (its undelivered SETs are dropped)",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         },
                     *         "scim.discovery": {
                     *           "what": "read the SCIM service's description",
                     *           "allowed_targets": [
                     *             "organization"
                     *           ],
                     *           "refused_because": null,
                     *           "ruled_out": []
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Me"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listOAuthClients: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "oauth_clients": [
                     *         {
                     *           "sid": "OC00000000000000000000000000000005",
                     *           "friendly_name": "Microsoft Entra ID",
                     *           "scopes": [
                     *             "scim"
                     *           ],
                     *           "user_sid": null,
                     *           "date_created": "2026-01-15T09:00:12.000Z",
                     *           "date_deleted": null,
                     *           "date_expires": null,
                     *           "date_last_used": null,
                     *           "last_used_address": null,
                     *           "created_by": "TK00000000000000000000000000000003",
                     *           "ceiling": "owner"
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/OAuthClients?PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/OAuthClients?PageSize=2",
                     *         "next_page_url": null,
                     *         "key": "oauth_clients"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["OAuthClientList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createOAuthClient: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "friendly_name": "Microsoft Entra ID",
                 *       "scopes": [
                 *         "scim"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["OAuthClientCreate"];
            };
        };
        responses: {
            /** @description Created; Location says where */
            201: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "OC00000000000000000000000000000005",
                     *       "friendly_name": "Microsoft Entra ID",
                     *       "scopes": [
                     *         "scim"
                     *       ],
                     *       "user_sid": null,
                     *       "date_created": "2026-01-15T09:00:12.000Z",
                     *       "date_deleted": null,
                     *       "date_expires": null,
                     *       "date_last_used": null,
                     *       "last_used_address": null,
                     *       "created_by": "TK00000000000000000000000000000003",
                     *       "ceiling": "owner",
                     *       "client_id": "OC00000000000000000000000000000005",
                     *       "client_secret": "ocs_EXAMPLE-client-secret-shown-once-01",
                     *       "token_endpoint": "https://scim.example.com/oauth/token"
                     *     }
                     */
                    "application/json": components["schemas"]["OAuthClientCreated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getOAuthClient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "OC00000000000000000000000000000005",
                     *       "friendly_name": "Microsoft Entra ID",
                     *       "scopes": [
                     *         "scim"
                     *       ],
                     *       "user_sid": null,
                     *       "date_created": "2026-01-15T09:00:12.000Z",
                     *       "date_deleted": null,
                     *       "date_expires": null,
                     *       "date_last_used": null,
                     *       "last_used_address": null,
                     *       "created_by": "TK00000000000000000000000000000003",
                     *       "ceiling": "owner"
                     *     }
                     */
                    "application/json": components["schemas"]["OAuthClient"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteOAuthClient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success, no content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getOrganization: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "OR00040000000000000000000000000000",
                     *       "friendly_name": "Acme Corporation",
                     *       "domain_enforcement": true,
                     *       "deprovision": "remove",
                     *       "successor_user_sid": null,
                     *       "expose_role_groups": true,
                     *       "scim_profile": "compatible",
                     *       "mail_delivery": "smtp",
                     *       "date_created": "2026-01-15T09:00:00.000Z",
                     *       "date_updated": "2026-01-15T09:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Organization"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateOrganization: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "domain_enforcement": true
                 *     }
                 */
                "application/json": components["schemas"]["OrganizationUpdate"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "OR00040000000000000000000000000000",
                     *       "friendly_name": "Acme Corporation",
                     *       "domain_enforcement": true,
                     *       "deprovision": "remove",
                     *       "successor_user_sid": null,
                     *       "expose_role_groups": true,
                     *       "scim_profile": "compatible",
                     *       "mail_delivery": "smtp",
                     *       "date_created": "2026-01-15T09:00:00.000Z",
                     *       "date_updated": "2026-01-15T09:00:06.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Organization"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listOutbox: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
                Status?: "queued" | "sent" | "failed" | "cancelled";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "mail": [
                     *         {
                     *           "sid": "EM00000000000000000000000000000008",
                     *           "kind": "welcome",
                     *           "to": "barbara@acme.example",
                     *           "subject": "Welcome to Acme Corporation",
                     *           "status": "queued",
                     *           "about_sid": "US00310000000000000000000000000000",
                     *           "attempts": 0,
                     *           "date_created": "2026-01-15T09:00:46.000Z",
                     *           "date_sent": null,
                     *           "date_next_attempt": "2026-01-15T09:00:46.000Z",
                     *           "last_error": null
                     *         },
                     *         {
                     *           "sid": "EM00000000000000000000000000000001",
                     *           "kind": "invitation",
                     *           "to": "linus@partner.example",
                     *           "subject": "You are invited to the account Acme Research Labs (Acme Corporation)",
                     *           "status": "queued",
                     *           "about_sid": "IV003a0000000000000000000000000000",
                     *           "attempts": 0,
                     *           "date_created": "2026-01-15T09:00:44.000Z",
                     *           "date_sent": null,
                     *           "date_next_attempt": "2026-01-15T09:00:44.000Z",
                     *           "last_error": null
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/Outbox?PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Outbox?PageSize=2",
                     *         "next_page_url": "https://scim.example.com/v1/Outbox?PageSize=2&PageToken=EXAMPLE-page-token-6",
                     *         "key": "mail"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["OutboxMailList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listProvisioningErrors: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "provisioning_errors": [
                     *         {
                     *           "number": 1,
                     *           "date_created": "2026-01-15T09:00:56.000Z",
                     *           "status": 409,
                     *           "scim_type": "uniqueness",
                     *           "code": 4002,
                     *           "reason": "userName 'ada@acme.example' is already in use in this organization (compared without case). Choose another userName, or update the existing user.",
                     *           "method": "POST",
                     *           "path": "/Users",
                     *           "bulk": false,
                     *           "credential": "TK00000000000000000000000000000003",
                     *           "target_name": "ada@acme.example",
                     *           "external_id": "00u1ada-again"
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 1,
                     *         "first_page_url": "https://scim.example.com/v1/ProvisioningErrors?PageSize=1",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/ProvisioningErrors?PageSize=1",
                     *         "next_page_url": null,
                     *         "key": "provisioning_errors"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ProvisioningErrorList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getProvisioningErrorCounts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "recorded": 1,
                     *       "retained": 1,
                     *       "dropped": 0
                     *     }
                     */
                    "application/json": components["schemas"]["ProvisioningErrorCounts"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listRoleAssignments: {
        parameters: {
            query?: {
                AccountSid?: string;
                PageSize?: number;
                PageToken?: string;
                UserSid?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "role_assignments": [
                     *         {
                     *           "sid": "IY001e0000000000000000000000000013000a0000000000000000000000000000",
                     *           "account_sid": "AC001e0000000000000000000000000000",
                     *           "user_sid": "US000a0000000000000000000000000000",
                     *           "role": "developer"
                     *         },
                     *         {
                     *           "sid": "IY001e0000000000000000000000000014000d0000000000000000000000000000",
                     *           "account_sid": "AC001e0000000000000000000000000000",
                     *           "user_sid": "US000d0000000000000000000000000000",
                     *           "role": "support"
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/RoleAssignments?AccountSid=AC001e0000000000000000000000000000&PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/RoleAssignments?AccountSid=AC001e0000000000000000000000000000&PageSize=2",
                     *         "next_page_url": null,
                     *         "key": "role_assignments"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["RoleAssignmentList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createRoleAssignment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "account_sid": "AC001e0000000000000000000000000000",
                 *       "user_sid": "US000a0000000000000000000000000000",
                 *       "role": "developer"
                 *     }
                 */
                "application/json": components["schemas"]["RoleAssignmentCreate"];
            };
        };
        responses: {
            /** @description Created; Location says where */
            201: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "IY001e0000000000000000000000000013000a0000000000000000000000000000",
                     *       "account_sid": "AC001e0000000000000000000000000000",
                     *       "user_sid": "US000a0000000000000000000000000000",
                     *       "role": "developer"
                     *     }
                     */
                    "application/json": components["schemas"]["RoleAssignment"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getRoleAssignment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "IY001e0000000000000000000000000013000a0000000000000000000000000000",
                     *       "account_sid": "AC001e0000000000000000000000000000",
                     *       "user_sid": "US000a0000000000000000000000000000",
                     *       "role": "developer"
                     *     }
                     */
                    "application/json": components["schemas"]["RoleAssignment"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    revokeRoleAssignment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success, no content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listTokens: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "tokens": [
                     *         {
                     *           "sid": "TK00000000000000000000000000000003",
                     *           "friendly_name": "Admin Center",
                     *           "scopes": [
                     *             "scim",
                     *             "admin"
                     *           ],
                     *           "user_sid": null,
                     *           "date_created": "2026-01-15T09:00:00.000Z",
                     *           "date_revoked": null,
                     *           "created_by": "operator",
                     *           "ceiling": "owner",
                     *           "date_expires": null,
                     *           "date_last_used": "2026-01-15T09:00:01.000Z",
                     *           "last_used_address": "203.0.113.7"
                     *         },
                     *         {
                     *           "sid": "TK00000000000000000000000000000006",
                     *           "friendly_name": "Okta",
                     *           "scopes": [
                     *             "scim"
                     *           ],
                     *           "user_sid": null,
                     *           "date_created": "2026-01-15T09:00:07.000Z",
                     *           "date_revoked": null,
                     *           "created_by": "TK00000000000000000000000000000003",
                     *           "ceiling": "owner",
                     *           "date_expires": "2027-01-15T09:00:07.000Z",
                     *           "date_last_used": null,
                     *           "last_used_address": null
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/Tokens?PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Tokens?PageSize=2",
                     *         "next_page_url": null,
                     *         "key": "tokens"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["TokenList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "friendly_name": "Okta",
                 *       "scopes": [
                 *         "scim"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["TokenCreate"];
            };
        };
        responses: {
            /** @description Created; Location says where */
            201: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "TK00000000000000000000000000000006",
                     *       "friendly_name": "Okta",
                     *       "scopes": [
                     *         "scim"
                     *       ],
                     *       "user_sid": null,
                     *       "date_created": "2026-01-15T09:00:07.000Z",
                     *       "date_revoked": null,
                     *       "created_by": "TK00000000000000000000000000000003",
                     *       "ceiling": "owner",
                     *       "date_expires": "2027-01-15T09:00:07.000Z",
                     *       "date_last_used": null,
                     *       "last_used_address": null,
                     *       "token": "osk_00000000000000000000000000000006_EXAMPLE-secret-shown-once-never-a-real-token"
                     *     }
                     */
                    "application/json": components["schemas"]["TokenCreated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "TK00000000000000000000000000000006",
                     *       "friendly_name": "Okta",
                     *       "scopes": [
                     *         "scim"
                     *       ],
                     *       "user_sid": null,
                     *       "date_created": "2026-01-15T09:00:07.000Z",
                     *       "date_revoked": null,
                     *       "created_by": "TK00000000000000000000000000000003",
                     *       "ceiling": "owner",
                     *       "date_expires": "2027-01-15T09:00:07.000Z",
                     *       "date_last_used": null,
                     *       "last_used_address": null
                     *     }
                     */
                    "application/json": components["schemas"]["Token"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    revokeToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success, no content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    rotateToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "overlap_seconds": 3600
                 *     }
                 */
                "application/json": components["schemas"]["TokenRotate"];
            };
        };
        responses: {
            /** @description Created; Location says where */
            201: {
                headers: {
                    /** @description The URL of the created resource */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "TK0000000000000000000000000000000b",
                     *       "friendly_name": "Okta",
                     *       "scopes": [
                     *         "scim"
                     *       ],
                     *       "user_sid": null,
                     *       "date_created": "2026-01-15T09:00:11.000Z",
                     *       "date_revoked": null,
                     *       "created_by": "TK00000000000000000000000000000003",
                     *       "ceiling": "owner",
                     *       "date_expires": "2027-01-15T09:00:11.000Z",
                     *       "date_last_used": null,
                     *       "last_used_address": null,
                     *       "token": "osk_0000000000000000000000000000000b_EXAMPLE-secret-shown-once-never-a-real-token",
                     *       "replaces": "TK00000000000000000000000000000006",
                     *       "replaced_token_expires": "2026-01-15T10:00:11.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["TokenRotated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listUsers: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
                /** @description Only users whose user_name or one of whose emails starts with this text, without regard to case */
                Search?: string;
                Status?: "managed" | "pending" | "independent";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "users": [
                     *         {
                     *           "sid": "US00070000000000000000000000000000",
                     *           "user_name": "ada@acme.example",
                     *           "email": "ada@acme.example",
                     *           "display_name": "Ada Lovelace",
                     *           "given_name": "Ada",
                     *           "family_name": "Lovelace",
                     *           "status": "managed",
                     *           "active": true,
                     *           "external_id": null,
                     *           "managed_by_idp": false,
                     *           "date_created": "2026-01-15T09:00:01.000Z",
                     *           "date_updated": "2026-01-15T09:00:01.000Z",
                     *           "org_role": "standard"
                     *         },
                     *         {
                     *           "sid": "US000a0000000000000000000000000000",
                     *           "user_name": "grace@acme.example",
                     *           "email": "grace@acme.example",
                     *           "display_name": "Grace Hopper",
                     *           "given_name": "Grace",
                     *           "family_name": "Hopper",
                     *           "status": "managed",
                     *           "active": true,
                     *           "external_id": null,
                     *           "managed_by_idp": false,
                     *           "date_created": "2026-01-15T09:00:02.000Z",
                     *           "date_updated": "2026-01-15T09:00:31.000Z",
                     *           "org_role": "administrator"
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 2,
                     *         "first_page_url": "https://scim.example.com/v1/Users?Status=managed&PageSize=2",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Users?Status=managed&PageSize=2",
                     *         "next_page_url": "https://scim.example.com/v1/Users?Status=managed&PageSize=2&PageToken=EXAMPLE-page-token-7",
                     *         "key": "users"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["MemberList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "US000a0000000000000000000000000000",
                     *       "user_name": "grace@acme.example",
                     *       "email": "grace@acme.example",
                     *       "display_name": "Grace Hopper",
                     *       "given_name": "Grace",
                     *       "family_name": "Hopper",
                     *       "status": "managed",
                     *       "active": true,
                     *       "external_id": null,
                     *       "managed_by_idp": false,
                     *       "date_created": "2026-01-15T09:00:02.000Z",
                     *       "date_updated": "2026-01-15T09:00:02.000Z",
                     *       "org_role": "standard",
                     *       "direct_org_role": "standard",
                     *       "two_factor_required": false,
                     *       "password_reset_required": false
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "org_role": "administrator",
                 *       "two_factor_required": true
                 *     }
                 */
                "application/json": components["schemas"]["UserUpdate"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "US000a0000000000000000000000000000",
                     *       "user_name": "grace@acme.example",
                     *       "email": "grace@acme.example",
                     *       "display_name": "Grace Hopper",
                     *       "given_name": "Grace",
                     *       "family_name": "Hopper",
                     *       "status": "managed",
                     *       "active": true,
                     *       "external_id": null,
                     *       "managed_by_idp": false,
                     *       "date_created": "2026-01-15T09:00:02.000Z",
                     *       "date_updated": "2026-01-15T09:00:31.000Z",
                     *       "org_role": "administrator",
                     *       "direct_org_role": "administrator",
                     *       "two_factor_required": true,
                     *       "password_reset_required": false
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listUserAccounts: {
        parameters: {
            query?: {
                PageSize?: number;
                PageToken?: string;
                Role?: "administrator" | "billing_manager" | "developer" | "support";
            };
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "accounts": [
                     *         {
                     *           "account": {
                     *             "sid": "AC001e0000000000000000000000000000",
                     *             "friendly_name": "Acme Research Labs",
                     *             "owner_sid": "US00070000000000000000000000000000",
                     *             "status": "active",
                     *             "date_created": "2026-01-15T09:00:20.000Z",
                     *             "date_updated": "2026-01-15T09:00:23.000Z"
                     *           },
                     *           "roles": [
                     *             "developer"
                     *           ],
                     *           "owner": false
                     *         }
                     *       ],
                     *       "meta": {
                     *         "page": 0,
                     *         "page_size": 50,
                     *         "first_page_url": "https://scim.example.com/v1/Users/US000a0000000000000000000000000000/Accounts?PageSize=50",
                     *         "previous_page_url": null,
                     *         "url": "https://scim.example.com/v1/Users/US000a0000000000000000000000000000/Accounts?PageSize=50",
                     *         "next_page_url": null,
                     *         "key": "accounts"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["UserAccountList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "acknowledge": true
                 *     }
                 */
                "application/json": components["schemas"]["EndMembership"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "US000d0000000000000000000000000000",
                     *       "action": "deleted",
                     *       "accounts_handed_over": []
                     *     }
                     */
                    "application/json": components["schemas"]["EndMembershipResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    requirePasswordReset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user_sid": "US000d0000000000000000000000000000",
                     *       "password_reset_required": true,
                     *       "mail_sid": "EM00000000000000000000000000000009"
                     *     }
                     */
                    "application/json": components["schemas"]["PasswordResetResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    removeUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "acknowledge": true
                 *     }
                 */
                "application/json": components["schemas"]["EndMembership"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sid": "US00100000000000000000000000000000",
                     *       "action": "removed",
                     *       "accounts_handed_over": []
                     *     }
                     */
                    "application/json": components["schemas"]["EndMembershipResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
}
