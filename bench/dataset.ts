/**
 * Builds a data set through the product's own paths: the SQLite store opened with
 * openSqliteStore, the organization and token from createOrganization and issueToken, user and
 * group bodies coerced by the SCIM layer exactly as POST does, rows written with the store's
 * repositories inside store.transaction, 5,000 users a transaction. Audit events of the creations
 * are not written (this is a data set, not a history).
 *
 * Layout: N users (all standard-role managed users, so also members of the built-in Standard User
 * group), `bench-big` holding every user, `bench-small` holding 10, `bench-batch` empty (for
 * 100-member PATCHes), and groups of 10 members up to the requested group count.
 */
import { join } from "node:path";
import type { GroupRecord, UserRecord } from "../src/domain/types";
import type { BenchContext, UserSample } from "./context";
import { externalIdOf, groupBody, groupNameOf, userBody, userNameOf, workEmailOf } from "./fixtures";
import { product } from "./product";

const BATCH = 5_000;
const SAMPLES = 1_000;

export interface DatasetSpec {
  users: number;
  groups: number;
}

export interface Dataset {
  /** DATABASE_URL of the data set. */
  url: string;
  dbPath: string;
  ctx: BenchContext;
  seconds: number;
}

const keyOf = (i: number): string => `u${String(i).padStart(7, "0")}`;

/** Builds into a SQLite file in `dir`, or into `databaseUrl` (a fresh MongoDB database) when given. */
export async function buildDataset(dir: string, spec: DatasetSpec, databaseUrl?: string): Promise<Dataset> {
  const started = performance.now();
  const { open, orgs, tokens, ids, roleGroups, clock, coerce, userResource, groupResource, resourceTypes } = product;
  const dbPath = join(dir, `orgscim-${spec.users}.db`);
  const store = await open.openStore(databaseUrl ?? `sqlite:${dbPath}`);
  const c = clock.systemClock;
  try {
    const org = await orgs.createOrganization(store, c, { name: "Bench Org", settings: { domainEnforcement: false } });
    const { plaintext: token } = await tokens.issueToken(store, c, { orgId: org.id, name: "bench", scopes: ["scim", "admin"] });
    const now = clock.isoNow(c);

    const groupCount = Math.max(3, spec.groups);
    const groups: GroupRecord[] = [];
    for (let g = 0; g < groupCount; g++) {
      const name = g === 0 ? "bench-big" : g === 1 ? "bench-small" : g === 2 ? "bench-batch" : groupNameOf(g);
      const input = groupResource.toGroupInput(coerce.coerceBody(groupBody(name, g), resourceTypes.GROUPS.schema, "compatible"));
      groups.push({
        id: ids.newId("GP"), orgId: org.id, displayName: name, externalId: `grp-ext-${g}`, builtin: false, binding: null,
        data: { ...input.data }, version: 1, created: now, lastModified: now,
      });
    }
    await store.transaction(async (tx) => {
      for (const g of groups) await tx.groups.insert(g);
    });

    const standard = roleGroups.orgRoleGroupId(org.id, "standard");
    const big = groups[0] as GroupRecord;
    const userIds: string[] = [];
    for (let from = 0; from < spec.users; from += BATCH) {
      const batch: UserRecord[] = [];
      for (let i = from; i < Math.min(spec.users, from + BATCH); i++) {
        const data = userResource.toUserInput(coerce.coerceBody(userBody(keyOf(i), i), resourceTypes.USERS.schema, "compatible")).data;
        batch.push({
          id: ids.newId("US"), orgId: org.id, userName: data.userName as string, externalId: data.externalId as string,
          displayName: data.displayName as string, active: true, status: "managed", orgRole: "standard",
          twoFactorRequired: false, passwordResetRequired: false, emails: data.emails as UserRecord["emails"],
          data, version: 1, created: now, lastModified: now,
        });
      }
      const batchIds = batch.map((u) => u.id);
      await store.transaction(async (tx) => {
        for (const u of batch) await tx.users.insert(u);
        await tx.groups.addMembers(org.id, standard, batchIds);
        await tx.groups.addMembers(org.id, big.id, batchIds);
      });
      userIds.push(...batchIds);
    }

    const at = (i: number): string => userIds[((i % spec.users) + spec.users) % spec.users] as string;
    await store.transaction(async (tx) => {
      await tx.groups.addMembers(org.id, (groups[1] as GroupRecord).id, userIds.slice(0, 10));
      for (let g = 3; g < groups.length; g++) {
        const members = Array.from({ length: 10 }, (_, j) => at(g * 97 + j * 7919));
        await tx.groups.addMembers(org.id, (groups[g] as GroupRecord).id, members);
      }
      for (const g of [standard, ...groups.slice(0, 3).map((x) => x.id)]) await tx.groups.touch(org.id, g, now);
    });

    const samples = Math.min(SAMPLES, spec.users);
    const step = spec.users / samples;
    const sample = (i: number): UserSample => {
      const key = keyOf(i);
      return { id: at(i), key, n: i, userName: userNameOf(key), externalId: externalIdOf(key), email: workEmailOf(key) };
    };
    const lookups = Array.from({ length: samples }, (_, k) => sample(Math.floor(k * step)));
    const tenGroups = groups.slice(3);
    const ctx: BenchContext = {
      users: spec.users,
      token,
      lookups,
      writes: Array.from({ length: samples }, (_, k) => sample(Math.floor(k * step + step / 2))),
      groupNames: tenGroups.map((g) => g.displayName),
      groupIds: tenGroups.map((g) => g.id),
      bigGroupId: big.id,
      smallGroupId: (groups[1] as GroupRecord).id,
      batchGroupId: (groups[2] as GroupRecord).id,
      smallMembers: userIds.slice(0, 10),
      bigMembers: lookups.map((l) => l.id),
      batchBlocks: Array.from({ length: Math.min(50, Math.floor(spec.users / 100)) }, (_, b) => userIds.slice(b * 100, b * 100 + 100)),
      // Users are the first rows of their table: user i has seq i + 1.
      deepSeqs: Array.from({ length: 100 }, (_, k) => Math.floor(spec.users * (0.5 + 0.49 * (k / 100)))),
      deepCursors: [],
    };
    // A client can only continue from a cursor the server gave it (sealed per organization and
    // list, security case 31): seal the deep positions with the store's own page-token key.
    const sealer = await product.pageTokens.pageTokensOf(store);
    ctx.deepCursors = ctx.deepSeqs.map((seq) => sealer.seal(org.id, "scim:Users", product.cursors.encodeCursor(seq)));
    return { url: databaseUrl ?? `sqlite:${dbPath}`, dbPath, ctx, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}

/** An empty organization (domain enforcement off) and a token, for imports. */
export async function emptyOrg(dir: string, name: string, databaseUrl?: string): Promise<{ url: string; token: string; orgId: string }> {
  const { open, orgs, tokens, clock } = product;
  const url = databaseUrl ?? `sqlite:${join(dir, `orgscim-${name}.db`)}`;
  const store = await open.openStore(url);
  try {
    const org = await orgs.createOrganization(store, clock.systemClock, { name: "Import Org", settings: { domainEnforcement: false } });
    const { plaintext } = await tokens.issueToken(store, clock.systemClock, { orgId: org.id, name: "bench import", scopes: ["scim", "admin"] });
    return { url, token: plaintext, orgId: org.id };
  } finally {
    await store.close();
  }
}
