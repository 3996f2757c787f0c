// A cursor page of 100 split into its parts, A/B between built trees in one process: both trees'
// dist/ are loaded over one SQLite file of --users users shaped as the bench's (bench/bench-user.mjs,
// coerced and written by tree A's own code, each in the built-in Standard User group and one more),
// and each part runs in rounds that alternate the trees; the CPU medians are printed (this
// process's CPU, so other processes on a shared machine count only as the waits they cause).
// Parts: the store's users.list (a deep cursor page), groups.groupsOfUsers for that page, rendering
// (renderUser, projection, listResponse), JSON.stringify of the rendered page, the page's text as the
// tree's GET /Users writes it (since issue 18's copied attributes: its bytes, written from the stored
// attributes' text into one Buffer; since its page bodies, each user put into the page's body in
// pieces, the body's buffer kept for the next page), the bytes of a page text (for a tree writing a string: its UTF-8
// length, which Node counts for Content-Length, and its encoding), and the whole page (the page's
// users.list, groupsOfUsers, text, bytes). Since issue 18's copied attributes the page's users.list is
// users.listStored (attributes left as JSON text); since its groups read with the page, listStored
// gives the users' groups too, and the whole page reads no groups apart. Also: the same page of a
// filtered list (userName sw "u", every user: its total is a count), and a cursor sealed and opened.
//   npm run build && node bench/page-parts.mjs <dirA> <dirB> [--users 5000] [--rounds 9]
// It also says when the two trees' rendered pages differ (they must not: same bytes, other cost).
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { benchUser } from "./bench-user.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const given = process.argv.slice(2, 4);
if (given.length !== 2 || given.some((t) => t.startsWith("--"))) throw new Error("usage: node bench/page-parts.mjs <dirA> <dirB> [--users N] [--rounds N]");
const TREES = given.map((t) => resolve(t));
const USERS = Number(arg("users", 5000));
const ROUNDS = Number(arg("rounds", 9));
const PER_ROUND = 60;

const mods = TREES.map((tree) => {
  const load = createRequire(join(tree, "dist", "main.js"));
  return {
    open: load("./store/open"), orgs: load("./domain/orgs"), ids: load("./domain/ids"), roleGroups: load("./domain/role-groups"),
    clock: load("./domain/clock"), coerce: load("./scim/coerce"), userResource: load("./scim/user-resource"),
    resourceTypes: load("./scim/resource-types"), projection: load("./scim/projection"), discovery: load("./scim/discovery"),
    cursors: load("./store/cursors"), pageTokens: load("./domain/page-tokens"),
    // Trees since issue 18's copied attributes write a page's users from their stored JSON text.
    userJson: (() => { try { return load("./scim/user-json"); } catch { return undefined; } })(),
    listBody: (() => { try { return load("./http/scim/list-body"); } catch { return undefined; } })(),
  };
});

const dir = mkdtempSync(join(tmpdir(), "orgscim-page-parts-"));
const url = `sqlite:${join(dir, "p.db")}`;
try {
  const a = mods[0];
  const seedStore = await a.open.openStore(url);
  const now = a.clock.isoNow(a.clock.systemClock);
  const org = await a.orgs.createOrganization(seedStore, a.clock.systemClock, { name: "Page parts", settings: { domainEnforcement: false } });
  const big = { id: a.ids.newId("GP"), orgId: org.id, displayName: "bench-big", externalId: null, builtin: false, binding: null, data: {}, version: 1, created: now, lastModified: now };
  await seedStore.transaction((tx) => tx.groups.insert(big));
  const standard = a.roleGroups.orgRoleGroupId(org.id, "standard");
  for (let from = 0; from < USERS; from += 5000) {
    const batch = [];
    for (let i = from; i < Math.min(USERS, from + 5000); i++) {
      const data = a.userResource.toUserInput(a.coerce.coerceBody(benchUser(i), a.resourceTypes.USERS.schema, "compatible")).data;
      batch.push({
        id: a.ids.newId("US"), orgId: org.id, userName: data.userName, externalId: data.externalId, displayName: data.displayName, active: true,
        status: "managed", orgRole: "standard", twoFactorRequired: false, passwordResetRequired: false, emails: data.emails, data, version: 1, created: now, lastModified: now,
      });
    }
    const ids = batch.map((u) => u.id);
    await seedStore.transaction(async (tx) => {
      for (const u of batch) await tx.users.insert(u);
      await tx.groups.addMembers(org.id, standard, ids);
      await tx.groups.addMembers(org.id, big.id, ids);
    });
  }
  await seedStore.close();

  const stores = [];
  for (const m of mods) stores.push(await m.open.openStore(url));
  const base = "http://127.0.0.1:3000/scim/v2";
  const none = { include: null, exclude: [] };
  const deep = (t, i) => mods[t].cursors.encodeCursor(Math.floor(USERS * (0.5 + 0.49 * ((i % 100) / 100))));
  const list = (t, i) => stores[t].users.list(org.id, { startIndex: 1, count: 100, cursor: deep(t, i) });
  // The page GET /Users reads: since issue 18's copied attributes, the users as stored (their attributes' JSON text unparsed).
  const listForPage = (t, i) => (mods[t].userJson ? stores[t].users.listStored : stores[t].users.list)(org.id, { startIndex: 1, count: 100, cursor: deep(t, i) });
  // The same page of a filtered list (every bench user's userName begins with "u"): its total is a count of the matches
  // (since issue 18's kept totals, src/store/sqlite/list-totals.ts, counted once while the rows stay the same).
  const filtered = (t) => ({ kind: "cmp", attr: mods[t].resourceTypes.USERS.resolver.resolve("userName"), op: "sw", value: "u" });
  const listFiltered = (t, i) => (mods[t].userJson ? stores[t].users.listStored : stores[t].users.list)(org.id, { startIndex: 1, count: 100, cursor: deep(t, i), filter: filtered(t) });
  // A cursor as the client sees it: the store's, sealed (src/domain/page-tokens.ts), and opened on the next request.
  const tokens = mods.map((m) => new m.pageTokens.PageTokens(Buffer.alloc(32, 7)));
  const sealAndOpen = (t, i) => tokens[t].open(org.id, "scim:Users", tokens[t].seal(org.id, "scim:Users", deep(t, i)));
  const render = (t, page, groups) => mods[t].discovery.listResponse(
    page.items.map((u) => mods[t].projection.project(mods[t].userResource.renderUser(u, base, groups.get(u.id) ?? [], true), none)),
    { totalResults: page.total, itemsPerPage: page.items.length, startIndex: 1, nextCursor: page.nextCursor },
  );
  // The page's text as the tree's GET /Users writes it without attributes/excludedAttributes, and its bytes.
  const pageText = (t, page, groups, keep = false) => {
    const { userJson, discovery } = mods[t];
    if (!userJson) return JSON.stringify(render(t, page, groups));
    const empty = JSON.stringify(discovery.listResponse([], { totalResults: page.total, itemsPerPage: page.items.length, startIndex: 1, nextCursor: page.nextCursor }));
    const writer = new userJson.UserJsonWriter(base, true);
    const { listBody } = mods[t];
    if (!writer.writeInto) {
      // Its bytes, as the tree sends them (src/http/scim/list-body.ts): never one long string.
      const out = listBody.jsonArrayBody(empty.slice(0, -2), page.items.map((u) => writer.write(u, groups.get(u.id) ?? [])), "]}");
      return Buffer.isBuffer(out) ? out : sent(out, keep);
    }
    // Since issue 18's page bodies: each user put into the page's body in pieces (UserJsonWriter.writeInto).
    let units = 0;
    for (const u of page.items) units += 1024 + (u.dataText?.length ?? 0);
    const body = new listBody.JsonBody(empty.length + units);
    body.put(empty.slice(0, -2));
    page.items.forEach((u, i) => writer.writeInto(body, i === 0 ? "" : ",", u, groups.get(u.id) ?? []));
    body.put("]}");
    return sent(body, keep);
  };
  // A kept body buffer (since issue 18's page bodies) goes back once its response finishes: here at
  // once, its bytes copied first when they are kept (`keep`: the pages compared between the trees).
  const sent = (body, keep) => {
    const bytes = keep ? Buffer.from(body.bytes()) : body.bytes();
    const res = Object.assign(new EventEmitter(), { end() {} });
    body.endWith(res);
    res.emit("finish");
    return bytes;
  };
  const asText = (body) => (typeof body === "string" ? body : body.toString());
  // A string body costs Node a count of its UTF-8 bytes for Content-Length, then its encoding.
  const pageBytes = (t, text) => Buffer.byteLength(text) + Buffer.from(text).length;
  const fixed = [[], []];
  for (const t of [0, 1]) {
    for (let i = 0; i < 20; i++) {
      const page = await list(t, i * 5);
      const groups = await stores[t].groups.groupsOfUsers(org.id, page.items.map((u) => u.id));
      const copy = await listForPage(t, i * 5);
      fixed[t].push({ page, copy, groups, body: render(t, page, groups), text: pageText(t, copy, groups, true) });
    }
  }
  const differ = fixed[0].some((f, i) => JSON.stringify(f.body) !== JSON.stringify(fixed[1][i].body) || asText(f.text) !== asText(fixed[1][i].text) || asText(f.text) !== JSON.stringify(f.body));
  const parts = {
    "users.list (cursor page)": (t, i) => list(t, i),
    "the page's users.list": (t, i) => listForPage(t, i),
    "a filtered page's list": (t, i) => listFiltered(t, i),
    "a cursor sealed and opened": (t, i) => sealAndOpen(t, i),
    "groups.groupsOfUsers": (t, i) => stores[t].groups.groupsOfUsers(org.id, fixed[t][i % 20].page.items.map((u) => u.id)),
    "render x100": (t, i) => render(t, fixed[t][i % 20].page, fixed[t][i % 20].groups),
    "JSON.stringify": (t, i) => JSON.stringify(fixed[t][i % 20].body),
    "page text (or bytes)": (t, i) => pageText(t, fixed[t][i % 20].copy, fixed[t][i % 20].groups),
    "bytes of a page text": (t, i) => (typeof fixed[t][i % 20].text === "string" ? pageBytes(t, fixed[t][i % 20].text) : 0),
    "whole page": async (t, i) => {
      const page = await listForPage(t, i);
      // Since issue 18's groups read with the page, listStored gives each user's groups (src/http/scim/page-groups.ts).
      const carried = page.items.length > 0 && page.items.every((u) => u.groups !== undefined);
      const body = pageText(t, page, carried ? new Map(page.items.map((u) => [u.id, u.groups])) : await stores[t].groups.groupsOfUsers(org.id, page.items.map((u) => u.id)));
      return typeof body === "string" ? pageBytes(t, body) : body.length;
    },
  };
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  console.log(`CPU µs per cursor page of 100, its parts (median of ${ROUNDS} interleaved rounds of ${PER_ROUND}; ${USERS} users; load ${loadavg().map((l) => l.toFixed(2)).join(" ")})`);
  console.log(["part".padEnd(28), ...TREES.map((t) => t.slice(-24).padStart(26))].join(""));
  for (const [name, f] of Object.entries(parts)) {
    const cpu = [[], []];
    for (const t of [0, 1]) for (let i = 0; i < PER_ROUND; i++) await f(t, i);
    for (let r = 0; r < ROUNDS; r++) {
      for (const t of [0, 1]) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < PER_ROUND; i++) await f(t, i);
        const c = process.cpuUsage(c0);
        cpu[t].push((c.user + c.system) / PER_ROUND);
      }
    }
    console.log([name.padEnd(28), ...cpu.map((xs) => `${median(xs).toFixed(0)} µs`.padStart(26))].join(""));
  }
  if (differ) console.log("!! the two trees render different pages");
  for (const s of stores) await s.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
