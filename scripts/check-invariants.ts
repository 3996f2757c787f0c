/**
 * Checks the invariants of a SQLite store file, read-only, straight from its tables (it trusts
 * none of the code that wrote them):
 *
 *   emails-match-data      every user's user_emails rows are exactly the emails of its data JSON
 *                          (value, type, primary), in its organization, each under its lower-case fold
 *   one-primary-email      a user with emails has exactly one marked primary, and primary_email is it
 *   username-unique        userName is unique per organization without regard to case (Unicode
 *                          lower case, as the README promises, not only SQLite's ASCII NOCASE)
 *   username-matches-data  the user_name column is the userName of the data JSON
 *   members-same-org       every group_members row names an existing user and group of its own org
 *   members-match-users    every group_members row carries its user's id and display (displayName,
 *                          else userName)
 *   versions-positive      every user and group version is ≥ 1
 *   rows-have-orgs         users, groups, tokens and audit events name an existing organization
 *   audit-org-numbers      every audit event's organization number (audit_orgs.n, the key its
 *                          indexes lead with: schema 27) is its own organization's
 *
 * Usage: DATABASE_URL=sqlite:./data/orgscim.db node dist-scripts/check-invariants.js [--quiet]
 * (after npm run build)
 * Prints one line per invariant and exits 0 when all hold, 1 when one is broken, 2 when the
 * store cannot be read. It can run next to a live server (WAL readers do not block writers).
 */
import Database from "better-sqlite3";

const EXAMPLES = 5;

function pathOf(url: string) {
  if (!url.startsWith("sqlite:")) throw new Error(`DATABASE_URL must be sqlite:<path> (got ${url.split(":")[0]}:...); this checker reads SQLite stores only`);
  const p = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
  return p === "" ? "./data/orgscim.db" : p;
}

export interface InvariantResult {
  name: string;
  checked: number;
  violations: string[];
}

interface UserRow { seq: number; id: string; org_id: string; user_name: string; primary_email: string | null; data: string; version: number }
interface EmailRow { user_seq: number; org_id: string; value: string; value_fold: string; type: string | null; is_primary: number }
interface MemberRow {
  group_seq: number; user_seq: number; org_id: string; group_id: string | null; group_org: string | null; user_id: string | null; user_org: string | null;
  row_user_id: string; row_display: string; user_display: string | null;
}
/** An email as the data JSON holds it (whatever was written there: checked field by field). */
interface DataEmail { value: string; type?: unknown; primary?: unknown }
const isDataEmail = (e: unknown): e is DataEmail => typeof e === "object" && e !== null && typeof Reflect.get(e, "value") === "string";

export function checkInvariants(db: Database.Database): InvariantResult[] {
  const results: InvariantResult[] = [];
  const record = (name: string, checked: number, violations: string[]) => results.push({ name, checked, violations });

  const users = db.prepare<[], UserRow>("SELECT seq, id, org_id, user_name, primary_email, data, version FROM users ORDER BY seq").all();
  const emailRows = new Map<number, EmailRow[]>();
  for (const r of db.prepare<[], EmailRow>("SELECT user_seq, org_id, value, value_fold, type, is_primary FROM user_emails").all()) {
    const list = emailRows.get(r.user_seq) ?? [];
    list.push(r);
    emailRows.set(r.user_seq, list);
  }

  const emailsBad: string[] = [];
  const primaryBad: string[] = [];
  const dataBad: string[] = [];
  const seen = new Map<string, string>();
  const uniqueBad: string[] = [];
  for (const u of users) {
    let data: unknown;
    try {
      data = JSON.parse(u.data);
    } catch {
      dataBad.push(`${u.id}: data is not JSON`);
      continue;
    }
    const field = (name: string): unknown => (typeof data === "object" && data !== null ? Reflect.get(data, name) : undefined);
    const userName = field("userName");
    if (userName !== u.user_name) dataBad.push(`${u.id}: user_name ${JSON.stringify(u.user_name)} but data.userName ${JSON.stringify(userName)}`);

    const listed = field("emails");
    const emails = (Array.isArray(listed) ? listed : []).filter(isDataEmail);
    const want = emails.map((e) => `${e.value}\u0000${String(e.type ?? "")}\u0000${e.primary === true ? 1 : 0}`).sort();
    const rows = emailRows.get(u.seq) ?? [];
    emailRows.delete(u.seq);
    const have = rows.map((r) => `${r.value}\u0000${r.type ?? ""}\u0000${r.is_primary}`).sort();
    if (want.join("\n") !== have.join("\n")) emailsBad.push(`${u.id}: data has ${want.length} email(s) [${want.map((x) => x.replace(/\u0000/g, "|")).join(", ")}], user_emails has ${have.length} [${have.map((x) => x.replace(/\u0000/g, "|")).join(", ")}]`);
    for (const r of rows) if (r.org_id !== u.org_id) emailsBad.push(`${u.id}: an email row is filed under ${r.org_id}, the user is in ${u.org_id}`);
    for (const r of rows) if (r.value_fold !== String(r.value).toLowerCase()) emailsBad.push(`${u.id}: the email ${JSON.stringify(r.value)} is filed under the fold ${JSON.stringify(r.value_fold)}`);

    const primaries = emails.filter((e) => e.primary === true);
    if (emails.length > 0) {
      if (primaries.length !== 1) primaryBad.push(`${u.id}: ${primaries.length} primary emails among ${emails.length}`);
      else if ((u.primary_email ?? "").toLowerCase() !== String(primaries[0]?.value).toLowerCase()) primaryBad.push(`${u.id}: primary_email ${JSON.stringify(u.primary_email)} is not the primary ${JSON.stringify(primaries[0]?.value)}`);
    }

    const key = `${u.org_id}\u0000${u.user_name.toLowerCase()}`;
    const other = seen.get(key);
    if (other) uniqueBad.push(`${u.org_id}: ${other} and ${u.id} share userName ${JSON.stringify(u.user_name)} without regard to case`);
    else seen.set(key, u.id);
  }
  for (const [seq, rows] of emailRows) emailsBad.push(`user_emails rows for user seq ${seq}, which does not exist (${rows.length})`);
  record("emails-match-data", users.length, emailsBad);
  record("one-primary-email", users.length, primaryBad);
  record("username-unique", users.length, uniqueBad);
  record("username-matches-data", users.length, dataBad);

  const memberRows = db.prepare<[], MemberRow>(`
    SELECT m.group_seq, m.user_seq, m.org_id, g.id AS group_id, g.org_id AS group_org, u.id AS user_id, u.org_id AS user_org,
      m.user_id AS row_user_id, m.display AS row_display, coalesce(u.display_name, u.user_name) AS user_display
    FROM group_members m LEFT JOIN groups g ON g.seq = m.group_seq LEFT JOIN users u ON u.seq = m.user_seq`).all();
  const membersBad: string[] = [];
  for (const m of memberRows) {
    if (m.group_id === null) membersBad.push(`member row (group seq ${m.group_seq}, user seq ${m.user_seq}): no such group`);
    else if (m.user_id === null) membersBad.push(`member row of ${m.group_id}: user seq ${m.user_seq} does not exist`);
    else if (m.group_org !== m.user_org || m.org_id !== m.group_org) membersBad.push(`${m.group_id} (${m.group_org}) has member ${m.user_id} (${m.user_org}), row filed under ${m.org_id}`);
  }
  record("members-same-org", memberRows.length, membersBad);
  const memberCopiesBad: string[] = [];
  for (const m of memberRows) {
    if (m.user_id === null) continue; // members-same-org reports it
    if (m.row_user_id !== m.user_id || m.row_display !== m.user_display) {
      memberCopiesBad.push(`member row of ${m.group_id ?? `group seq ${m.group_seq}`}: says ${m.row_user_id} "${m.row_display}", the user is ${m.user_id} "${m.user_display}"`);
    }
  }
  record("members-match-users", memberRows.length, memberCopiesBad);

  const versionRows = db.prepare<[], { kind: string; id: string; version: unknown }>("SELECT 'user' AS kind, id, version FROM users UNION ALL SELECT 'group', id, version FROM groups").all();
  record("versions-positive", versionRows.length, versionRows.filter((r) => !(typeof r.version === "number" && Number.isInteger(r.version) && r.version >= 1)).map((r) => `${r.kind} ${r.id}: version ${String(r.version)}`));

  const orphans = db.prepare<[], { kind: string; id: string; org_id: string }>(`
    SELECT 'user' AS kind, id, org_id FROM users WHERE org_id NOT IN (SELECT id FROM organizations)
    UNION ALL SELECT 'group', id, org_id FROM groups WHERE org_id NOT IN (SELECT id FROM organizations)
    UNION ALL SELECT 'token', id, org_id FROM api_tokens WHERE org_id NOT IN (SELECT id FROM organizations)
    UNION ALL SELECT 'audit event', id, org_id FROM audit_events WHERE org_id NOT IN (SELECT id FROM organizations)`).all();
  const rowCount = db.prepare<[], number>("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM groups) + (SELECT count(*) FROM api_tokens) + (SELECT count(*) FROM audit_events)").pluck().get() ?? 0;
  record("rows-have-orgs", rowCount, orphans.map((r) => `${r.kind} ${r.id}: organization ${r.org_id} does not exist`));

  // An event listed under another organization's number would be listed to that organization (schema 27 on).
  const numbered = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_orgs'").get() !== undefined;
  const misnumbered = numbered ? db.prepare<[], { id: string; org_id: string; org: number; named: string | null }>(`
    SELECT e.id, e.org_id, e.org, o.org_id AS named FROM audit_events e LEFT JOIN audit_orgs o ON o.n = e.org WHERE o.org_id IS NOT e.org_id`).all() : [];
  const events = numbered ? db.prepare<[], number>("SELECT count(*) FROM audit_events").pluck().get() ?? 0 : 0;
  record("audit-org-numbers", events, misnumbered.map((r) => `audit event ${r.id} of ${r.org_id}: number ${r.org} is ${r.named ?? "nobody"}'s`));
  return results;
}

function main() {
  const quiet = process.argv.includes("--quiet");
  const url = process.env.DATABASE_URL ?? "sqlite:./data/orgscim.db";
  let results: InvariantResult[];
  try {
    const db = new Database(pathOf(url), { readonly: true, fileMustExist: true });
    results = checkInvariants(db);
    db.close();
  } catch (e) {
    process.stderr.write(`check-invariants: cannot read ${url}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
  let broken = 0;
  for (const r of results) {
    if (r.violations.length > 0) broken++;
    if (quiet && r.violations.length === 0) continue;
    process.stdout.write(`${r.violations.length === 0 ? "ok  " : "FAIL"} ${r.name.padEnd(22)} ${r.checked} checked, ${r.violations.length} violation(s)\n`);
    for (const v of r.violations.slice(0, EXAMPLES)) process.stdout.write(`       ${v}\n`);
    if (r.violations.length > EXAMPLES) process.stdout.write(`       ... and ${r.violations.length - EXAMPLES} more\n`);
  }
  process.stdout.write(broken === 0 ? `all ${results.length} invariants hold\n` : `${broken} of ${results.length} invariants broken\n`);
  process.exit(broken === 0 ? 0 : 1);
}

if (require.main === module) main();
