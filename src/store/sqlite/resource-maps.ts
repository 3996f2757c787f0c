/**
 * Where each SCIM attribute of a User and of a Group lives in the SQLite tables (see ./migrations.ts),
 * for ./filter-sql.ts. Indexed columns first; multi-valued attributes kept in their own tables
 * (emails in user_emails, group memberships in group_members); everything else is read from the
 * `data` JSON, so any schema attribute can be filtered and sorted, just not through an index.
 */
import type { SqlResourceMap, SqlTable } from "./filter-sql";

/** Mirrors src/scim/schemas.ts ORGSCIM_USER_SCHEMA (the store does not import the SCIM layer). */
const ORGSCIM_USER = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

/** A User: `FROM users u`. */
export const USER_MAP: SqlResourceMap = {
  alias: "u",
  data: "u.data",
  seq: "u.seq",
  columns: new Map([
    ["id", "u.id"],
    ["externalId", "u.external_id"],
    ["userName", "u.user_name"],
    ["displayName", "u.display_name"],
    ["active", "u.active"],
    ["meta.created", "u.created"],
    ["meta.lastModified", "u.last_modified"],
    ["meta.resourceType", "'User'"],
    ["meta.version", `('W/"' || u.version || '"')`],
    // The orgscim extension lives in columns, not in data: orgRole is the direct role (as documented).
    [`${ORGSCIM_USER}:orgRole`, "COALESCE(u.org_role, 'standard')"],
    [`${ORGSCIM_USER}:status`, "u.status"],
    [`${ORGSCIM_USER}:twoFactorRequired`, "u.two_factor_required"],
    [`${ORGSCIM_USER}:passwordResetRequired`, "u.password_reset_required"],
  ]),
  folded: new Map([["userName", "u.user_name_fold"]]),
  tables: new Map<string, SqlTable>([
    [
      "emails",
      {
        // One row per email (users.ts writes value, type ?? null). `primary` and `display` are read
        // from data: is_primary is 0 for an email without `primary`, which `primary eq false` must not match.
        from: "user_emails ue",
        on: "ue.user_seq = u.seq",
        subs: new Map([
          ["value", "ue.value"],
          ["type", "ue.type"],
        ]),
        exclusive: false,
        sortOrder: "ue.is_primary DESC, ue.rowid",
        folded: new Map([["value", "ue.value_fold"]]),
        outerKey: "ue.user_seq",
        orgColumn: "ue.org_id",
      },
    ],
    [
      "groups",
      {
        from: "group_members ugm JOIN groups ug ON ug.seq = ugm.group_seq",
        on: "ugm.user_seq = u.seq",
        subs: new Map([
          ["value", "ug.id"],
          ["display", "ug.display_name"],
        ]),
        exclusive: true,
      },
    ],
  ]),
};

/**
 * A Group: `FROM groups g`. Members are only in group_members; `members.value` is the user's id.
 * Memberships are probed per group (EXISTS on the group_members primary key): group_members has no
 * (org_id, ...) index. `members.value` and a user's `groups.value` are ids, served caseExact
 * (src/scim/schemas.ts), so they compare exactly, as ids do everywhere.
 */
export const GROUP_MAP: SqlResourceMap = {
  alias: "g",
  data: "g.data",
  seq: "g.seq",
  columns: new Map([
    ["id", "g.id"],
    ["externalId", "g.external_id"],
    ["displayName", "g.display_name"],
    ["meta.created", "g.created"],
    ["meta.lastModified", "g.last_modified"],
    ["meta.resourceType", "'Group'"],
    ["meta.version", `('W/"' || g.version || '"')`],
  ]),
  folded: new Map([["displayName", "g.display_name_fold"]]),
  tables: new Map<string, SqlTable>([
    [
      "members",
      {
        from: "group_members gm JOIN users mu ON mu.seq = gm.user_seq",
        on: "gm.group_seq = g.seq",
        subs: new Map([
          ["value", "mu.id"],
          ["display", "COALESCE(mu.display_name, mu.user_name)"],
        ]),
        exclusive: true,
      },
    ],
  ]),
};
