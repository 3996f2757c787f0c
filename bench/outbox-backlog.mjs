// What the metrics' outbox backlog costs a scrape on SQLite: N pending messages (1.4 KB bodies),
// the old way (outbox.list, every row with its body) and the new (outbox.countPending, an index
// count). 7 runs each, median, min, max.
//   npm run build && node bench/outbox-backlog.mjs [N=10000]
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
const require = createRequire(import.meta.url);
const { openSqliteStore } = require(join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "store", "sqlite", "store.js"));
const N = Number(process.argv[2] ?? 10000);
const dir = mkdtempSync(join(tmpdir(), "orgscim-outbox-backlog-"));
const store = openSqliteStore({ path: join(dir, "b.db"), backgroundCheckpoints: false });
const now = new Date().toISOString();
const body = "Hello, you are invited. ".repeat(60);
await store.transaction(async (tx) => {
  for (let i = 0; i < N; i++) await tx.outbox.insert({ id: `OB${String(i).padStart(30, "0")}`, orgId: null, kind: "invitation", ref: null, to: `u${i}@x.test`, subject: "Invitation", text: body, status: "pending", created: now, sentAt: null, attempts: 0, lastError: null, nextAttemptAt: now });
});
const time = async (f) => {
  const t = [];
  for (let k = 0; k < 7; k++) { const s = performance.now(); await f(); t.push(performance.now() - s); }
  t.sort((a, b) => a - b);
  return `median ${t[3].toFixed(2)} ms (min ${t[0].toFixed(2)}, max ${t[6].toFixed(2)})`;
};
console.log(`${N} pending messages, 1.4 KB bodies, SQLite:`);
console.log(`  outbox.list({ status: "pending", limit: ${N} })  ${await time(() => store.outbox.list({ status: "pending", limit: N }))}`);
console.log(`  outbox.countPending(100000)                      ${await time(() => store.outbox.countPending(100000))}`);
await store.close();
rmSync(dir, { recursive: true, force: true });
