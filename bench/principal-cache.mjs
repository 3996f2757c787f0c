// A/B of authentication on a real SQLite store (the built dist/): resolving a token's principal
// every time (authenticate: the token, its chain, the organization, its user and the user's
// groups) against a PrincipalCache hit (a SHA-256 of the bearer token and one principal-version
// read). Interleaved rounds, median µs per authentication.
//   npm run build && node bench/principal-cache.mjs [--rounds 7] [--n 2000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const ROUNDS = Number(arg("rounds", 7));
const N = Number(arg("n", 2000));
const dir = mkdtempSync(join(tmpdir(), "orgscim-principal-"));
const { openSqliteStore } = require("../dist/store/sqlite/store.js");
const { createOrganization } = require("../dist/domain/orgs.js");
const { issueToken, authenticate } = require("../dist/domain/tokens.js");
const { systemClock } = require("../dist/domain/clock.js");
const { PrincipalCache } = require("../dist/http/principal-cache.js");

const store = openSqliteStore({ path: join(dir, "p.db"), durability: "normal", backgroundCheckpoints: false });
const org = await createOrganization(store, systemClock, { name: "bench", settings: { domainEnforcement: false } });
const now = new Date().toISOString();
const user = { id: "US" + "1".repeat(32), orgId: org.id, userName: "a@example.com", externalId: null, displayName: null, active: true, status: "managed",
  orgRole: "administrator", twoFactorRequired: false, passwordResetRequired: false, emails: [], data: {}, version: 1, created: now, lastModified: now };
await store.users.insert(user);
const service = (await issueToken(store, systemClock, { orgId: org.id, name: "idp", scopes: ["scim"] })).plaintext;
const forUser = (await issueToken(store, systemClock, { orgId: org.id, name: "u", scopes: ["scim", "admin"], userId: user.id })).plaintext;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await fn();
  return Number(process.hrtime.bigint() - t) / 1e3 / N;
}
for (const [name, token] of [["service token (no user)", service], ["token acting for a user", forUser]]) {
  const cache = new PrincipalCache(store, (p) => authenticate(store, p));
  const a = [], b = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await time(() => authenticate(store, token)));
    b.push(await time(() => cache.authenticate(token, new Date())));
  }
  console.log(`${name.padEnd(26)} resolve every time ${median(a).toFixed(1).padStart(6)} µs   cache hit ${median(b).toFixed(1).padStart(6)} µs   (hits ${cache.stats.hits}, misses ${cache.stats.misses})`);
}
await store.close();
rmSync(dir, { recursive: true, force: true });
