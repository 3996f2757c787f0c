/**
 * A test double of the MongoDB driver calls the MongoDB store makes (src/store/mongo/ctx.ts `DbLike`,
 * and `startSession` for transactions), executing the very documents the store sends with mingo.
 * It is NOT MongoDB: mingo's query semantics, no collation, no network. What it does model:
 *
 * - collections and indexes (createCollection, createIndex, dropIndex, indexes), for the store's
 *   migrations; unique indexes enforced as duplicate key errors (code 11000, keyPattern). A new
 *   double starts with the indexes the migrations make (src/store/mongo/indexes.ts `INDEXES`), or
 *   with none (`{ indexes: "none" }`) to run the migrations themselves;
 * - what mongod refuses that mingo would accept: a regular expression holding a NUL byte;
 * - sessions and transactions with snapshot isolation: a transaction reads the data as it was at
 *   its first operation plus its own writes; a write to a document that another transaction has
 *   written since that snapshot, or is writing now, fails at once with WriteConflict (label
 *   TransientTransactionError), as on a replica set; commit applies the writes atomically. So the
 *   store's real transaction code (src/store/mongo/transaction.ts) runs here, and write skew,
 *   late commits and racing inserts behave as they would on MongoDB, at document granularity;
 * - every operation yields to the event loop first, so concurrent callers interleave;
 * - every query, update and pipeline is handed to `onOp` (test/store/mongo-recorder.ts).
 */
import { Aggregator, find, Query, update } from "mingo";
import mongoose from "mongoose";
import { INDEXES, indexName, type IndexSpec } from "../../src/store/mongo/indexes";

type Doc = Record<string, unknown>;
type Spec = Record<string, 1 | -1>;
type Data = Map<string, Doc[]>;

export class DuplicateKey extends Error {
  readonly code = 11000;
  constructor(readonly keyPattern: Spec, collection: string) {
    super(`E11000 duplicate key error collection: test.${collection} index: ${Object.keys(keyPattern).join("_")}`);
    this.name = "MongoServerError";
  }
}

const writeConflict = (): Error => new mongoose.mongo.MongoServerError({
  message: "WriteConflict error: this operation conflicted with another operation. Please retry your operation or multi-document transaction.",
  code: 112, codeName: "WriteConflict", errorLabels: ["TransientTransactionError"],
});

/** What mongod answers to a pattern with an embedded NUL (mingo would run it). */
const nulInPattern = (): Error => new mongoose.mongo.MongoServerError({
  message: "Regular expression cannot contain an embedded null byte", code: 51091, codeName: "Location51091",
});

/** One operation as the store sent it. */
export interface RecordedOp {
  collection: string;
  op: string;
  filter?: Doc;
  update?: Doc;
  pipeline?: Doc[];
  doc?: Doc;
  inTransaction: boolean;
}

const clone = <T>(v: T): T => structuredClone(v);
const get = (d: Doc, path: string): unknown => path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Doc)[k] : undefined), d);
const yieldNow = () => new Promise<void>((r) => setImmediate(r));

/** Throws as mongod would on a `$regex`/`$regexMatch` pattern holding NUL, anywhere in a document. */
function refuseNulPatterns(v: unknown): void {
  if (Array.isArray(v)) return v.forEach(refuseNulPatterns);
  if (!v || typeof v !== "object") return;
  for (const [k, x] of Object.entries(v as Doc)) {
    if ((k === "$regex" || k === "regex") && typeof x === "string" && x.includes("\0")) throw nulInPattern();
    refuseNulPatterns(x);
  }
}

/** `{_id: {$eq: x}}` or `{_id: x}` → x: the equality fields of an upsert's filter. */
function equalities(filter: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith("$")) continue;
    out[k] = v && typeof v === "object" && "$eq" in (v as Doc) ? (v as Doc).$eq : v;
  }
  return out;
}

const keyOf = (collection: string, id: unknown): string => `${collection}\u0000${String(id)}`;

/**
 * A transaction: its snapshot (the committed collections at its first operation, shared, never
 * changed in place), its own copies of the collections it wrote, the documents it wrote, and when
 * it started.
 */
interface Txn {
  base: Data | null;
  local: Data;
  start: number;
  writes: Set<string>;
}

/** Where an operation reads and writes: committed data, or a transaction's view of it. */
export interface View {
  txn: Txn | null;
  read(name: string): Doc[];
  /** The collection's array to change (a copy, made on first use: arrays may be shared by snapshots). */
  write(name: string): Doc[];
}

export class MingoSession {
  txn: Txn | null = null;
  constructor(private readonly db: MingoDb) {}
  startTransaction(): void {
    if (this.txn) throw new Error("transaction already in progress");
    this.txn = { base: null, local: new Map(), start: 0, writes: new Set() };
    this.db.open.add(this);
  }
  inTransaction(): boolean {
    return this.txn !== null;
  }
  async commitTransaction(): Promise<void> {
    await yieldNow();
    const t = this.txn;
    if (!t) throw new Error("no transaction");
    try {
      this.db.commit(t);
    } finally {
      this.end();
    }
  }
  async abortTransaction(): Promise<void> {
    this.end();
  }
  async endSession(): Promise<void> {
    this.end();
  }
  private end(): void {
    this.txn = null;
    this.db.open.delete(this);
  }
}

/** An index as `listIndexes` describes it. */
export interface IndexEntry extends IndexSpec {
  name: string;
}

export class MingoDb {
  private data: Data = new Map();
  /** Collections created and their indexes (`_id_` implied). */
  readonly indexes = new Map<string, IndexEntry[]>();
  /** When each document was last committed (keyOf → clock). */
  private readonly stamps = new Map<string, number>();
  private clock = 0;
  readonly open = new Set<MingoSession>();
  /** Sees every operation before it runs. */
  onOp: ((op: RecordedOp) => void) | null = null;

  constructor(options: { indexes?: "current" | "none" } = {}) {
    if (options.indexes !== "none") {
      for (const [name, specs] of Object.entries(INDEXES)) this.indexes.set(name, specs.map((s) => ({ ...s, name: indexName(s.key) })));
    }
  }

  async createCollection(name: string): Promise<void> {
    await yieldNow();
    if (this.indexes.has(name)) {
      throw new mongoose.mongo.MongoServerError({ message: `Collection test.${name} already exists.`, code: 48, codeName: "NamespaceExists" });
    }
    this.indexes.set(name, []);
  }

  /** The unique indexes of a collection, `_id` first. */
  uniqueIndexes(collection: string): { keys: Spec; partial?: Doc }[] {
    const declared = (this.indexes.get(collection) ?? []).filter((i) => i.unique);
    return [{ keys: { _id: 1 } }, ...declared.map((i) => (i.partialFilterExpression ? { keys: i.key as Spec, partial: i.partialFilterExpression } : { keys: i.key as Spec }))];
  }

  /**
   * The committed documents of a collection, for tests to read or to seed: the live array, which
   * the double replaces (never changes) on its own writes, so read it again after one.
   */
  docs(name: string): Doc[] {
    let d = this.data.get(name);
    if (!d) this.data.set(name, (d = []));
    return d;
  }

  collection(name: string): MingoCollection {
    return new MingoCollection(this, name);
  }

  startSession(): MingoSession {
    return new MingoSession(this);
  }

  /**
   * What an operation works on: the transaction's snapshot plus its own writes, or the committed
   * data. Committed arrays are replaced, never changed in place, so a snapshot is a shallow copy.
   */
  view(session: MingoSession | undefined): View {
    const t = session?.txn ?? null;
    if (!t) {
      const copied = new Set<string>();
      return {
        txn: null,
        read: (name) => this.data.get(name) ?? [],
        write: (name) => {
          if (!copied.has(name)) {
            copied.add(name);
            this.data.set(name, [...(this.data.get(name) ?? [])]);
          }
          return this.data.get(name)!;
        },
      };
    }
    if (!t.base) {
      t.base = new Map(this.data);
      t.start = this.clock;
    }
    const base = t.base;
    return {
      txn: t,
      read: (name) => t.local.get(name) ?? base.get(name) ?? [],
      write: (name) => {
        if (!t.local.has(name)) t.local.set(name, [...(base.get(name) ?? [])]);
        return t.local.get(name)!;
      },
    };
  }

  /** Before a write to (collection, id): conflicts as MongoDB's first-writer rule would. */
  claim(txn: Txn | null, collection: string, id: unknown): void {
    const key = keyOf(collection, id);
    if (!txn) {
      this.stamps.set(key, ++this.clock);
      return;
    }
    if ((this.stamps.get(key) ?? 0) > txn.start) throw writeConflict();
    for (const s of this.open) if (s.txn && s.txn !== txn && s.txn.writes.has(key)) throw writeConflict();
    txn.writes.add(key);
  }

  commit(t: Txn): void {
    if (!t.base || t.writes.size === 0) return;
    for (const key of t.writes) if ((this.stamps.get(key) ?? 0) > t.start) throw writeConflict();
    const next = new Map(this.data);
    const copied = new Set<string>();
    for (const key of t.writes) {
      const [collection, id] = key.split("\u0000") as [string, string];
      const mine = (t.local.get(collection) ?? []).find((d) => String(d._id) === id);
      if (!copied.has(collection)) {
        copied.add(collection);
        next.set(collection, [...(next.get(collection) ?? [])]);
      }
      const theirs = next.get(collection)!;
      const at = theirs.findIndex((d) => String(d._id) === id);
      if (mine && at >= 0) theirs[at] = mine;
      else if (mine) theirs.push(mine);
      else if (at >= 0) theirs.splice(at, 1);
    }
    // A unique key another transaction committed meanwhile: on MongoDB the second writer of an
    // index key conflicts; it retries and then meets the duplicate key in its body.
    for (const key of t.writes) {
      const [collection, id] = key.split("\u0000") as [string, string];
      const mine = (next.get(collection) ?? []).find((d) => String(d._id) === id);
      if (mine && uniqueClash(this.uniqueIndexes(collection), next.get(collection) ?? [], mine)) throw writeConflict();
    }
    this.data = next;
    const stamp = ++this.clock;
    for (const key of t.writes) this.stamps.set(key, stamp);
  }
}

const queries = new Map<string, Query>();
const partialTest = (partial: Doc, d: Doc): boolean => {
  const key = JSON.stringify(partial);
  let q = queries.get(key);
  if (!q) queries.set(key, (q = new Query(partial)));
  return q.test(d);
};

/** The first unique index `doc` would share a key on with another of `docs` (other than `except`). */
function uniqueClash(indexes: { keys: Spec; partial?: Doc }[], docs: Doc[], doc: Doc, except?: Doc): Spec | null {
  for (const u of indexes) {
    if (u.partial && !partialTest(u.partial, doc)) continue;
    const fields = Object.keys(u.keys);
    const mine = fields.map((k) => get(doc, k) ?? null);
    const first = mine[0];
    const text = JSON.stringify(mine);
    const clash = docs.some((d) => d !== doc && d !== except
      && (get(d, fields[0]!) ?? null) === first // cheap first: most documents differ here (orgId, _id)
      && (!u.partial || partialTest(u.partial, d))
      && JSON.stringify(fields.map((k) => get(d, k) ?? null)) === text);
    if (clash) return u.keys;
  }
  return null;
}

interface Opts {
  session?: MingoSession;
  projection?: Doc;
  upsert?: boolean;
  returnDocument?: "before" | "after";
}

class MingoCollection {
  constructor(private readonly db: MingoDb, private readonly name: string) {}

  private async begin(op: Omit<RecordedOp, "collection" | "inTransaction">, opts: Opts | undefined): Promise<View> {
    await yieldNow();
    const view = this.db.view(opts?.session);
    this.db.onOp?.({ collection: this.name, ...op, inTransaction: view.txn !== null });
    refuseNulPatterns(op.filter);
    refuseNulPatterns(op.pipeline);
    return view;
  }

  private checkUnique(docs: Doc[], doc: Doc, except?: Doc): void {
    const keys = uniqueClash(this.db.uniqueIndexes(this.name), docs, doc, except);
    if (keys) throw new DuplicateKey(keys, this.name);
  }

  async indexes(): Promise<Doc[]> {
    await yieldNow();
    const list = this.db.indexes.get(this.name);
    if (!list) throw new mongoose.mongo.MongoServerError({ message: `ns does not exist: test.${this.name}`, code: 26, codeName: "NamespaceNotFound" });
    return [{ v: 2, key: { _id: 1 }, name: "_id_" }, ...list.map((i) => ({ v: 2, ...clone(i) }))];
  }

  async createIndex(key: Spec, options: Omit<IndexEntry, "key">): Promise<string> {
    await yieldNow();
    this.db.onOp?.({ collection: this.name, op: "createIndex", doc: { key, ...options }, inTransaction: false });
    const list = this.db.indexes.get(this.name) ?? [];
    const entry: IndexEntry = { key, ...options };
    if (entry.unique) {
      const docs = this.db.docs(this.name);
      for (const d of docs) {
        const keys = uniqueClash([{ keys: key, ...(entry.partialFilterExpression ? { partial: entry.partialFilterExpression as Doc } : {}) }], docs, d);
        if (keys) throw new DuplicateKey(keys, this.name);
      }
    }
    const same = list.find((i) => i.name === entry.name);
    if (same) {
      if (JSON.stringify(same) !== JSON.stringify(entry)) {
        throw new mongoose.mongo.MongoServerError({ message: `An existing index has the same name as the requested index: ${entry.name}`, code: 86, codeName: "IndexKeySpecsConflict" });
      }
      return entry.name;
    }
    this.db.indexes.set(this.name, [...list, entry]);
    return entry.name;
  }

  async dropIndex(name: string): Promise<void> {
    await yieldNow();
    this.db.onOp?.({ collection: this.name, op: "dropIndex", doc: { name }, inTransaction: false });
    const list = this.db.indexes.get(this.name) ?? [];
    if (!list.some((i) => i.name === name)) throw new mongoose.mongo.MongoServerError({ message: `index not found with name [${name}]`, code: 27, codeName: "IndexNotFound" });
    this.db.indexes.set(this.name, list.filter((i) => i.name !== name));
  }

  private cursor(filter: Doc, opts: Opts | undefined) {
    let sort: Spec | undefined;
    let skip = 0;
    let limit = 0;
    const self = {
      sort: (s: Spec) => ((sort = s), self),
      skip: (n: number) => ((skip = n), self),
      limit: (n: number) => ((limit = n), self),
      toArray: async () => {
        const view = await this.begin({ op: "find", filter }, opts);
        let c = find(view.read(this.name), filter, opts?.projection);
        if (sort) c = c.sort(sort);
        if (skip) c = c.skip(skip);
        if (limit) c = c.limit(limit);
        return c.all().map((d) => clone(d as Doc));
      },
    };
    return self;
  }

  async insertOne(doc: Doc, opts?: Opts) {
    const view = await this.begin({ op: "insertOne", doc }, opts);
    this.checkUnique(view.read(this.name), doc);
    this.db.claim(view.txn, this.name, doc._id);
    view.write(this.name).push(clone(doc));
    return { insertedId: doc._id };
  }

  /** `ordered: true` (the driver's default): the documents before a duplicate are inserted, as on MongoDB outside a transaction. */
  async insertMany(docs: Doc[], opts?: Opts) {
    const view = await this.begin({ op: "insertMany" }, opts);
    for (const doc of docs) this.db.onOp?.({ collection: this.name, op: "insertMany.insertOne", doc, inTransaction: view.txn !== null });
    for (const doc of docs) {
      this.checkUnique(view.read(this.name), doc);
      this.db.claim(view.txn, this.name, doc._id);
      view.write(this.name).push(clone(doc));
    }
    return { insertedCount: docs.length };
  }

  async findOne(filter: Doc, opts?: Opts) {
    return (await this.cursor(filter, opts).limit(1).toArray())[0] ?? null;
  }

  find(filter: Doc, opts?: Opts) {
    return this.cursor(filter, opts);
  }

  async countDocuments(filter: Doc, opts?: Opts) {
    const view = await this.begin({ op: "countDocuments", filter }, opts);
    return find(view.read(this.name), filter).all().length;
  }

  private applyOne(view: View, filter: Doc, modifier: Doc, upsert = false): { before: Doc | null; doc: Doc | null; upserted: boolean } {
    const current = view.read(this.name);
    const hit = find(current, filter).all()[0] as Doc | undefined;
    if (!hit) {
      if (!upsert) return { before: null, doc: null, upserted: false };
      const { $setOnInsert, ...rest } = modifier as { $setOnInsert?: Doc };
      const doc: Doc = { ...equalities(filter), ...($setOnInsert ?? {}) };
      if (Object.keys(rest).length > 0) update(doc, rest as never);
      this.checkUnique(current, doc);
      this.db.claim(view.txn, this.name, doc._id);
      view.write(this.name).push(doc);
      return { before: null, doc, upserted: true };
    }
    const next = clone(hit);
    const { $setOnInsert: _ignored, ...rest } = modifier as { $setOnInsert?: Doc };
    if (Object.keys(rest).length > 0) update(next, rest as never);
    this.checkUnique(current, next, hit);
    // MongoDB writes nothing (and conflicts with nothing) when an update changes no field.
    if (JSON.stringify(next) !== JSON.stringify(hit)) {
      this.db.claim(view.txn, this.name, hit._id);
      const docs = view.write(this.name);
      docs[docs.indexOf(hit)] = next;
    }
    return { before: clone(hit), doc: next, upserted: false };
  }

  async updateOne(filter: Doc, modifier: Doc, opts?: Opts) {
    const view = await this.begin({ op: "updateOne", filter, update: modifier }, opts);
    const r = this.applyOne(view, filter, modifier, opts?.upsert === true);
    return { matchedCount: r.doc && !r.upserted ? 1 : 0, modifiedCount: r.doc && !r.upserted ? 1 : 0, upsertedCount: r.upserted ? 1 : 0 };
  }

  async updateMany(filter: Doc, modifier: Doc, opts?: Opts) {
    const view = await this.begin({ op: "updateMany", filter, update: modifier }, opts);
    const hits = find(view.read(this.name), filter).all() as Doc[];
    for (const hit of hits) this.applyOne(view, { _id: hit._id }, modifier);
    return { matchedCount: hits.length, modifiedCount: hits.length };
  }

  async findOneAndUpdate(filter: Doc, modifier: Doc, opts?: Opts) {
    const view = await this.begin({ op: "findOneAndUpdate", filter, update: modifier }, opts);
    const r = this.applyOne(view, filter, modifier, opts?.upsert === true);
    const out = opts?.returnDocument === "after" ? r.doc : r.before;
    if (!out) return null;
    return opts?.projection ? (find([out], {}, opts.projection).all()[0] as Doc) : clone(out);
  }

  async bulkWrite(ops: { updateOne: { filter: Doc; update: Doc; upsert?: boolean } }[], opts?: Opts) {
    const view = await this.begin({ op: "bulkWrite", pipeline: ops.map((o) => ({ filter: o.updateOne.filter, update: o.updateOne.update })) }, opts);
    for (const { updateOne: op } of ops) this.db.onOp?.({ collection: this.name, op: "bulkWrite.updateOne", filter: op.filter, update: op.update, inTransaction: view.txn !== null });
    let upsertedCount = 0;
    for (const { updateOne: op } of ops) if (this.applyOne(view, op.filter, op.update, op.upsert === true).upserted) upsertedCount++;
    return { upsertedCount };
  }

  private async remove(filter: Doc, one: boolean, opts: Opts | undefined) {
    const view = await this.begin({ op: one ? "deleteOne" : "deleteMany", filter }, opts);
    const hits = find(view.read(this.name), filter).all() as Doc[];
    const gone = new Set(one ? hits.slice(0, 1) : hits);
    if (gone.size === 0) return { deletedCount: 0 };
    for (const d of gone) this.db.claim(view.txn, this.name, d._id);
    const docs = view.write(this.name);
    const kept = docs.filter((d) => !gone.has(d));
    docs.splice(0, docs.length, ...kept);
    return { deletedCount: gone.size };
  }

  deleteOne(filter: Doc, opts?: Opts) {
    return this.remove(filter, true, opts);
  }

  deleteMany(filter: Doc, opts?: Opts) {
    return this.remove(filter, false, opts);
  }

  aggregate(pipeline: Doc[], opts?: Opts) {
    return {
      toArray: async () => {
        const view = await this.begin({ op: "aggregate", pipeline }, opts);
        return new Aggregator(pipeline, { collectionResolver: (n: string) => view.read(n) }).run(view.read(this.name)).map((d) => clone(d as Doc));
      },
    };
  }
}
