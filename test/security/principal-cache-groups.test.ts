/**
 * A token's cached principal is never served after a change to it committed, however that change
 * met the group commit (docs/security.md case 82). Issue 18 asks the principal cache to answer its
 * version check from memory or from the writer connection (the reader's ~38 µs after a commit);
 * the writer sees the open group's work before it commits, and a member of a group can be rolled
 * back to its savepoint while the others commit. Kept exact, an entry resolved from rows that
 * predate a change must never be stamped with a version (or epoch) that already counts that change.
 *
 * Attacked on a SQLite file store (one server process), a token warmed in the cache first:
 * - a revocation (and a suspension of the token's user) written by a member of a group the test
 *   holds open, requests with the token while it is open, then the group commits: the next request
 *   is refused;
 * - in one group: a member revokes and is rolled back, requests meanwhile, then another member
 *   revokes and commits (the version goes up, down, and up again to the same number);
 * - a rolled-back revocation alone: the token still works (nothing committed);
 * - a revocation committed while a miss of the cache is resolving (after it read the rows): the
 *   entry it stores is not served afterwards.
 * Every request of a held group is answered before the group is let go, unless the server waits for
 * the writer (then it is answered after: either is allowed, only what comes after the commit is asserted).
 */
import { systemClock } from "../../src/domain/clock";
import type { Repos } from "../../src/domain/ports/store";
import { authenticate, issueToken } from "../../src/domain/tokens";
import type { Organization } from "../../src/domain/types";
import { PrincipalCache } from "../../src/http/principal-cache";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

jest.setTimeout(120_000);

let s: TestServer;
let org: Organization;
let admin = "";
beforeAll(async () => {
  s = await startTestServer();
  ({ org, token: admin } = await s.newOrg({ domainEnforcement: false }));
});
afterAll(() => s.close());

/** A promise the test lets go of. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const wait = new Promise<void>((resolve) => { open = resolve; });
  return { wait, open };
}

/** A read any member's token may make: its status. */
const probe = async (token: string): Promise<number> => (await v1("GET", `${s.url}/v1/Organization`, token)).status;

/** A reply that may wait for the writer the test holds: its status if it came while held, else later. */
async function whileHeld(reply: Promise<number>): Promise<number | "after"> {
  let timer: NodeJS.Timeout | undefined;
  const later = new Promise<"after">((resolve) => { timer = setTimeout(() => resolve("after"), 15_000); });
  try {
    return await Promise.race([reply, later]);
  } finally {
    clearTimeout(timer);
  }
}

/** A token of the org, acting for a new managed user when `forUser`; warmed: answered 200 twice. */
async function warmToken(forUser = false): Promise<{ token: string; sid: string; userId: string | null }> {
  let userId: string | null = null;
  if (forUser) {
    const r = await call("POST", `${s.scim}/Users`, admin, userBody(`held-${Math.random().toString(36).slice(2)}@acme.test`));
    if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
    userId = r.body.id as string;
  }
  const t = await issueToken(s.running.store, systemClock, { orgId: org.id, name: `t${Math.random()}`, scopes: ["scim", "admin"], userId });
  expect([await probe(t.plaintext), await probe(t.plaintext)]).toEqual([200, 200]);
  return { token: t.plaintext, sid: t.token.id, userId };
}

const revoke = (sid: string) => async (tx: Repos) => {
  if (!(await tx.tokens.revoke(org.id, sid, new Date().toISOString()))) throw new Error(`token ${sid} was not revoked`);
};
const suspend = (userId: string) => async (tx: Repos) => {
  const u = await tx.users.get(org.id, userId);
  if (!u) throw new Error(`user ${userId} not found`);
  if (!(await tx.users.update({ ...u, active: false, version: u.version + 1 }, u.version))) throw new Error("suspension lost its race");
};

/**
 * Runs `change` as a member of a group held open (the member waits for the gate after its write),
 * probes the token while it is held, lets go, and answers the statuses seen meanwhile.
 */
async function heldChange(token: string, change: (tx: Repos) => Promise<void>): Promise<(number | "after")[]> {
  const g = gate();
  let written = false;
  const done = s.running.store.transaction(async (tx) => {
    await change(tx);
    written = true;
    await g.wait;
  });
  const seen: (number | "after")[] = [];
  try {
    const start = Date.now();
    while (!written) {
      if (Date.now() - start > 60_000) throw new Error("the held member never wrote its change");
      await new Promise((r) => setImmediate(r));
    }
    // Twice: the first may store an entry (a miss), the second be served from it.
    seen.push(await whileHeld(probe(token)));
    seen.push(await whileHeld(probe(token)));
  } finally {
    g.open();
    await done;
  }
  return seen;
}

describe("a change held in an open group commit", () => {
  test("a revocation: the first request after its commit is refused 401", async () => {
    const t = await warmToken();
    const meanwhile = await heldChange(t.token, revoke(t.sid));
    expect({ meanwhile, after: [await probe(t.token), await probe(t.token)] }).toEqual({ meanwhile, after: [401, 401] });
  });

  test("a suspension of the token's user: the first request after its commit is refused 401", async () => {
    const t = await warmToken(true);
    const meanwhile = await heldChange(t.token, suspend(t.userId!));
    expect({ meanwhile, after: [await probe(t.token), await probe(t.token)] }).toEqual({ meanwhile, after: [401, 401] });
  });
});

describe("a member rolled back in the group", () => {
  test("a revocation rolled back, then another member's committed in the same group: refused 401", async () => {
    const t = await warmToken();
    const t2 = await warmToken();
    const g = gate();
    let written = false;
    // The rolled-back member opens the group; the second member queues behind it (same group: the
    // COMMIT waits for the mutex behind it).
    const undone = s.running.store.transaction(async (tx) => {
      await revoke(t.sid)(tx);
      await revoke(t2.sid)(tx);
      written = true;
      await g.wait;
      throw new Error("rolled back on purpose");
    });
    const meanwhile: (number | "after")[] = [];
    try {
      const start = Date.now();
      while (!written) {
        if (Date.now() - start > 60_000) throw new Error("the rolled-back member never wrote");
        await new Promise((r) => setImmediate(r));
      }
      meanwhile.push(await whileHeld(probe(t.token)), await whileHeld(probe(t.token)));
    } finally {
      g.open();
    }
    await expect(undone).rejects.toThrow(/rolled back on purpose|rolled back/);
    // The version went up (uncommitted) and back: a member now raises it to the same number again.
    await s.running.store.transaction(revoke(t.sid));
    expect({ meanwhile, after: [await probe(t.token), await probe(t.token)] }).toEqual({ meanwhile, after: [401, 401] });
    // Nothing of the rolled-back member stayed: the other token still works.
    expect(await probe(t2.token)).toBe(200);
  });

  test("the same, the two members in one group: the committed one's revocation is seen", async () => {
    const t = await warmToken();
    const g = gate();
    let written = false;
    const undone = s.running.store.transaction(async (tx) => {
      await revoke(t.sid)(tx);
      written = true;
      await g.wait;
      throw new Error("rolled back on purpose");
    });
    // Queued now, behind the held member: it runs after it, in its group.
    const committed = s.running.store.transaction(revoke(t.sid));
    const meanwhile: (number | "after")[] = [];
    try {
      const start = Date.now();
      while (!written) {
        if (Date.now() - start > 60_000) throw new Error("the rolled-back member never wrote");
        await new Promise((r) => setImmediate(r));
      }
      meanwhile.push(await whileHeld(probe(t.token)), await whileHeld(probe(t.token)));
    } finally {
      g.open();
    }
    await expect(undone).rejects.toThrow(/rolled back/);
    await committed;
    expect({ meanwhile, after: [await probe(t.token), await probe(t.token)] }).toEqual({ meanwhile, after: [401, 401] });
  });
});

test("a revocation committed while a cache miss resolves: the entry it stores is not served", async () => {
  const t = await warmToken();
  const store = s.running.store;
  const g = gate();
  let resolved = false;
  const cache = new PrincipalCache(store, async (plaintext, now) => {
    const auth = await authenticate(store, plaintext, now); // the rows as they were
    resolved = true;
    await g.wait;
    return auth;
  });
  const first = cache.authenticate(t.token, new Date());
  const start = Date.now();
  while (!resolved) {
    if (Date.now() - start > 60_000) throw new Error("the cache never resolved the token");
    await new Promise((r) => setImmediate(r));
  }
  await store.transaction(revoke(t.sid));
  g.open();
  expect(await first).not.toBeNull(); // resolved before the revocation: answered as it was
  expect(await cache.authenticate(t.token, new Date())).toBeNull();
});
