/**
 * The scenarios of issue 6 as sequences of HTTP steps. The load generator (load.ts) runs a
 * scenario's steps in a loop on every connection, with autocannon's per-loop context: a step's
 * `setup` may store what a later step of the same loop uses (the member to add back, the id of
 * the user just created). Module-level counters give every request fresh data across
 * connections and repeats.
 */
import type { BenchContext } from "./context";
import { PATCH_SCHEMA, userBody } from "./fixtures";

export type StepContext = Record<string, unknown>;

export interface Step {
  method: "GET" | "POST" | "PUT" | "PATCH";
  /** Path (under the server root) and body of the next request; null skips the rest of this loop. */
  setup(ctx: StepContext): { path: string; body?: unknown } | null;
  /** Called with the response (the body only when `wantsBody`). */
  onResponse?(status: number, body: string, ctx: StepContext): void;
  wantsBody?: boolean;
}

export interface Scenario {
  name: string;
  title: string;
  /** The unit reported per second: requests, or completed cycles (Entra: users provisioned). */
  unit: "req" | "cycle";
  steps(bc: BenchContext): Step[];
}

let serial = 0;
const next = () => serial++;
const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
/** Completed cycles of the scenario running now (read and reset by load.ts). */
export const counters = { cycles: 0 };

const pick = <T>(list: readonly T[], k: number): T => list[k % list.length] as T;
const q = (filter: string) => encodeURIComponent(filter);

const get = (path: (k: number) => string): Step => ({ method: "GET", setup: () => ({ path: path(next()) }) });

const patchOps = (ops: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations: ops });

/** Remove then add back one member: the group keeps its size. Standard (Okta/RFC) or Entra's form. */
function memberCycle(groupId: (bc: BenchContext) => string, pool: (bc: BenchContext) => string[], form: "standard" | "entra") {
  return (bc: BenchContext): Step[] => [
    {
      method: "PATCH",
      setup: (ctx) => {
        const id = pick(pool(bc), next());
        ctx.member = id;
        const op = form === "standard"
          ? { op: "remove", path: `members[value eq "${id}"]` }
          : { op: "Remove", path: "members", value: [{ value: id }] };
        return { path: `/scim/v2/Groups/${groupId(bc)}`, body: patchOps([op]) };
      },
    },
    {
      method: "PATCH",
      setup: (ctx) => {
        const id = ctx.member as string;
        const op = form === "standard"
          ? { op: "add", path: "members", value: [{ value: id }] }
          : { op: "Add", path: "members", value: [{ $ref: null, value: id }] };
        return { path: `/scim/v2/Groups/${groupId(bc)}`, body: patchOps([op]) };
      },
    },
  ];
}

const big = (bc: BenchContext) => bc.bigGroupId;
const small = (bc: BenchContext) => bc.smallGroupId;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "baseline", title: "baseline: plain Express, fixed 1.5 KB user", unit: "req",
    steps: (bc) => [get((k) => `/scim/v2/Users/${pick(bc.lookups, k).id}`)],
  },
  {
    name: "users.filter.userName", title: "GET /Users?filter=userName eq (hit)", unit: "req",
    steps: (bc) => [get((k) => `/scim/v2/Users?filter=${q(`userName eq "${pick(bc.lookups, k).userName}"`)}`)],
  },
  {
    name: "users.filter.userName.miss", title: "GET /Users?filter=userName eq (miss)", unit: "req",
    steps: () => [get((k) => `/scim/v2/Users?filter=${q(`userName eq "nobody-${tag}-${k}@bench.example.com"`)}`)],
  },
  {
    name: "users.filter.externalId", title: "GET /Users?filter=externalId eq", unit: "req",
    steps: (bc) => [get((k) => `/scim/v2/Users?filter=${q(`externalId eq "${pick(bc.lookups, k).externalId}"`)}`)],
  },
  {
    name: "users.filter.email", title: 'GET /Users?filter=emails[type eq "work"].value eq', unit: "req",
    steps: (bc) => [get((k) => `/scim/v2/Users?filter=${q(`emails[type eq "work"].value eq "${pick(bc.lookups, k).email}"`)}`)],
  },
  {
    name: "users.get", title: "GET /Users/{id}", unit: "req",
    steps: (bc) => [get((k) => `/scim/v2/Users/${pick(bc.lookups, k).id}`)],
  },
  {
    name: "groups.filter.displayName", title: "GET /Groups?filter=displayName eq (10 members)", unit: "req",
    steps: (bc) => [get((k) => `/scim/v2/Groups?filter=${q(`displayName eq "${pick(bc.groupNames, k)}"`)}`)],
  },
  {
    name: "users.list.startIndex", title: "GET /Users?startIndex=<deep>&count=100", unit: "req",
    steps: (bc) => [get((k) => `/scim/v2/Users?startIndex=${pick(bc.deepSeqs, k)}&count=100`)],
  },
  {
    name: "users.list.cursor", title: "GET /Users?count=100&cursor=<deep> (sealed s:<seq>)", unit: "req",
    steps: (bc) => [get((k) => `/scim/v2/Users?count=100&cursor=${pick(bc.deepCursors, k)}`)],
  },
  {
    name: "groups.get.small.noMembers", title: "GET /Groups/{10-member group}?excludedAttributes=members", unit: "req",
    steps: (bc) => [get(() => `/scim/v2/Groups/${bc.smallGroupId}?excludedAttributes=members`)],
  },
  {
    name: "groups.get.big.noMembers", title: "GET /Groups/{all-user group}?excludedAttributes=members", unit: "req",
    steps: (bc) => [get(() => `/scim/v2/Groups/${bc.bigGroupId}?excludedAttributes=members`)],
  },
  {
    name: "users.post", title: "POST /Users", unit: "req",
    steps: () => [{ method: "POST", setup: () => { const k = next(); return { path: "/scim/v2/Users", body: userBody(`p${tag}x${k}`, k) }; } }],
  },
  {
    name: "users.put", title: "PUT /Users/{id}", unit: "req",
    steps: (bc) => [{
      method: "PUT",
      setup: () => {
        const k = next();
        const u = pick(bc.writes, k);
        return { path: `/scim/v2/Users/${u.id}`, body: { ...userBody(u.key, u.n), title: `Engineer ${k}` } };
      },
    }],
  },
  {
    // Every request a change: a write that changes nothing writes nothing (47ef740), so deactivating
    // the same 1,000 users over and over would measure no-ops after the first 1,000 requests. A loop
    // deactivates one user and reactivates it, so the user is active again for its next turn (and
    // for PUT, which sends active: true); the reactivation is skipped when the deactivation was not
    // applied (a 429 under overload). Loops in flight at once pick distinct users (1,000 of them).
    name: "users.patch.active", title: "PATCH /Users/{id} active false, then true", unit: "req",
    steps: (bc) => [
      {
        method: "PATCH",
        setup: (ctx) => {
          const id = pick(bc.writes, next()).id;
          ctx.user = id;
          return { path: `/scim/v2/Users/${id}`, body: patchOps([{ op: "replace", path: "active", value: false }]) };
        },
        onResponse: (status, _body, ctx) => {
          ctx.applied = status >= 200 && status < 300;
        },
      },
      {
        method: "PATCH",
        setup: (ctx) => (ctx.applied !== true ? null : {
          path: `/scim/v2/Users/${ctx.user as string}`,
          body: patchOps([{ op: "replace", path: "active", value: true }]),
        }),
      },
    ],
  },
  { name: "groups.member.small", title: "PATCH remove+add 1 member, 10-member group", unit: "req", steps: memberCycle(small, (bc) => bc.smallMembers, "standard") },
  { name: "groups.member.big", title: "PATCH remove+add 1 member, all-user group", unit: "req", steps: memberCycle(big, (bc) => bc.bigMembers, "standard") },
  { name: "groups.member.small.entra", title: "PATCH Remove+Add 1 member (Entra form), 10-member group", unit: "req", steps: memberCycle(small, (bc) => bc.smallMembers, "entra") },
  { name: "groups.member.big.entra", title: "PATCH Remove+Add 1 member (Entra form), all-user group", unit: "req", steps: memberCycle(big, (bc) => bc.bigMembers, "entra") },
  {
    name: "groups.member.batch100", title: "PATCH add 100 members / remove them (alternating)", unit: "req",
    steps: (bc) => [
      {
        method: "PATCH",
        setup: (ctx) => {
          const block = pick(bc.batchBlocks, next());
          ctx.block = block;
          return { path: `/scim/v2/Groups/${bc.batchGroupId}`, body: patchOps([{ op: "add", path: "members", value: block.map((value) => ({ value })) }]) };
        },
      },
      {
        method: "PATCH",
        setup: (ctx) => ({
          path: `/scim/v2/Groups/${bc.batchGroupId}`,
          body: patchOps([{ op: "remove", path: "members", value: (ctx.block as string[]).map((value) => ({ value })) }]),
        }),
      },
    ],
  },
  {
    name: "entra.cycle", title: "Entra cycle: userName miss, POST, add to group (users/s)", unit: "cycle",
    steps: (bc) => [
      {
        method: "GET",
        setup: (ctx) => {
          const k = next();
          ctx.k = k;
          return { path: `/scim/v2/Users?filter=${q(`userName eq "${`e${tag}x${k}`}@bench.example.com"`)}` };
        },
      },
      {
        method: "POST",
        setup: (ctx) => ({ path: "/scim/v2/Users", body: userBody(`e${tag}x${ctx.k as number}`, ctx.k as number) }),
        wantsBody: true,
        onResponse: (status, body, ctx) => {
          if (status === 201) ctx.id = (JSON.parse(body) as { id: string }).id;
        },
      },
      {
        method: "PATCH",
        setup: (ctx) => (typeof ctx.id !== "string" ? null : {
          path: `/scim/v2/Groups/${pick(bc.groupIds, ctx.k as number)}`,
          body: patchOps([{ op: "Add", path: "members", value: [{ $ref: null, value: ctx.id }] }]),
        }),
        onResponse: (status) => {
          if (status === 204) counters.cycles += 1;
        },
      },
    ],
  },
];

export function scenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario ${name}`);
  return s;
}
