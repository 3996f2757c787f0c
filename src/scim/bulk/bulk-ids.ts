/**
 * bulkId references (RFC 7644 §3.7.2): `bulkId:<id>` in an operation's path (`/Groups/bulkId:x`),
 * as any string value of its data (a member's or a manager's `value`), or quoted inside a PATCH
 * path filter (`members[value eq "bulkId:x"]`). Operations run in request order except that an
 * operation waits for the operations it references (forward references, §3.7.2); operations that
 * reference each other in a cycle are not run and answer 409 (§3.7.1).
 */
import type { BulkOperation } from "./request";

const PREFIX = "bulkId:";
const QUOTED = /"bulkId:([^"\s]+)"/g;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function collect(value: unknown, out: Set<string>): void {
  if (typeof value === "string") {
    if (value.startsWith(PREFIX)) out.add(value.slice(PREFIX.length));
    else if (value.includes(`"${PREFIX}`)) for (const m of value.matchAll(QUOTED)) out.add(m[1] as string);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, out);
  } else if (isObject(value)) {
    for (const v of Object.values(value)) collect(v, out);
  }
}

/** The bulkIds an operation references, in its path and anywhere in its data. */
function referencesOf(op: Pick<BulkOperation, "path" | "data">): Set<string> {
  const out = new Set<string>();
  for (const segment of op.path.split("/")) if (segment.startsWith(PREFIX)) out.add(decodeURIComponent(segment.slice(PREFIX.length)));
  collect(op.data, out);
  return out;
}

/** Replaces every reference to a resolved bulkId by the id of the resource its operation made. */
export function substitute<T>(value: T, ids: ReadonlyMap<string, string>): T {
  if (typeof value === "string") {
    if (value.startsWith(PREFIX)) return (ids.get(value.slice(PREFIX.length)) ?? value) as T;
    if (value.includes(`"${PREFIX}`)) return value.replace(QUOTED, (all, id: string) => (ids.has(id) ? `"${ids.get(id)}"` : all)) as T;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, ids)) as T;
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, ids);
    return out as T;
  }
  return value;
}

export const substitutePath = (path: string, ids: ReadonlyMap<string, string>): string =>
  path.split("/").map((s) => (s.startsWith(PREFIX) ? ids.get(decodeURIComponent(s.slice(PREFIX.length))) ?? s : s)).join("/");

export interface BulkPlan {
  /** Operation indexes in the order to run them. */
  order: number[];
  /** For each operation, the operations it waits for (by index). */
  dependsOn: number[][];
  /** Operations on a reference cycle, with the bulkIds of their cycle. */
  circular: Map<number, string[]>;
  /** Operations that reference a bulkId no operation of the request carries: the first such bulkId. */
  unknown: Map<number, string>;
}

/**
 * Orders the operations: request order, except that an operation runs after those it references.
 * Strongly connected components (Tarjan, iterative: a chain of 100,000 references must not
 * overflow the stack) of more than one operation, or an operation referencing itself, are cycles.
 */
export function planBulk(ops: readonly BulkOperation[]): BulkPlan {
  const byBulkId = new Map<string, number>();
  for (const op of ops) if (op.bulkId !== undefined && !byBulkId.has(op.bulkId)) byBulkId.set(op.bulkId, op.index);
  const dependsOn: number[][] = ops.map(() => []);
  const unknown = new Map<number, string>();
  let anyReference = false;
  for (const op of ops) {
    for (const ref of referencesOf(op)) {
      anyReference = true;
      const target = byBulkId.get(ref);
      if (target === undefined) {
        if (!unknown.has(op.index)) unknown.set(op.index, ref);
      } else dependsOn[op.index]!.push(target);
    }
  }
  if (!anyReference) return { order: ops.map((o) => o.index), dependsOn, circular: new Map(), unknown };

  const component = stronglyConnected(dependsOn);
  const members = new Map<number, number[]>();
  component.forEach((c, i) => members.set(c, [...(members.get(c) ?? []), i]));
  const circular = new Map<number, string[]>();
  for (const [, nodes] of members) {
    const first = nodes[0]!;
    if (nodes.length > 1 || dependsOn[first]!.includes(first)) {
      const bulkIds = nodes.map((n) => ops[n]!.bulkId ?? `#${n}`);
      for (const n of nodes) circular.set(n, bulkIds);
    }
  }

  // Kahn's algorithm, lowest index first; edges inside a cycle do not hold an operation back.
  const waiting = dependsOn.map((deps, i) => deps.filter((d) => component[d] !== component[i]).length);
  const dependents: number[][] = ops.map(() => []);
  dependsOn.forEach((deps, i) => deps.forEach((d) => component[d] !== component[i] && dependents[d]!.push(i)));
  const ready = new MinHeap();
  waiting.forEach((w, i) => w === 0 && ready.push(i));
  const order: number[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(i);
    for (const d of dependents[i]!) if (--waiting[d]! === 0) ready.push(d);
  }
  return { order, dependsOn, circular, unknown };
}

/** Tarjan's strongly connected components, without recursion. Answers each node's component number. */
function stronglyConnected(edges: number[][]): number[] {
  const n = edges.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const component = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  let counter = 0;
  let components = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: Array<[number, number]> = [[root, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, next] = frame;
      if (next === 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = true;
      }
      const targets = edges[v]!;
      if (next < targets.length) {
        frame[1] = next + 1;
        const w = targets[next]!;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          component[w] = components;
        } while (w !== v);
        components += 1;
      }
    }
  }
  return component;
}

class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
