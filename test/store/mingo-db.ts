/**
 * A test double of the few MongoDB driver calls the MongoDB store's repositories make
 * (src/store/mongo/ctx.ts `DbLike`), executing the very documents they send with mingo, with the
 * unique indexes the mongoose schemas declare (src/store/mongo/models.ts) enforced as duplicate
 * key errors (code 11000, keyPattern). It is NOT MongoDB: no sessions, no real transactions, no
 * concurrency, mingo's semantics. It lets the repositories' own logic run on every test run where
 * no mongod is reachable; test/store/contract.mongo.test.ts is the real thing.
 */
import { Aggregator, find, update, Query } from "mingo";
import { SCHEMAS, type CollectionName } from "../../src/store/mongo/models";

type Doc = Record<string, unknown>;
type Spec = Record<string, 1 | -1>;

class DuplicateKey extends Error {
  readonly code = 11000;
  constructor(readonly keyPattern: Spec, collection: string) {
    super(`E11000 duplicate key error collection: test.${collection} index: ${Object.keys(keyPattern).join("_")}`);
    this.name = "MongoServerError";
  }
}

const clone = <T>(v: T): T => structuredClone(v);
const get = (d: Doc, path: string): unknown => path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Doc)[k] : undefined), d);

/** `{_id: {$eq: x}}` or `{_id: x}` → x: the equality fields of an upsert's filter. */
function equalities(filter: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith("$")) continue;
    out[k] = v && typeof v === "object" && "$eq" in (v as Doc) ? (v as Doc).$eq : v;
  }
  return out;
}

export class MingoDb {
  private data = new Map<string, Doc[]>();

  docs(name: string): Doc[] {
    let d = this.data.get(name);
    if (!d) this.data.set(name, (d = []));
    return d;
  }

  snapshot(): Map<string, Doc[]> {
    return new Map([...this.data].map(([k, v]) => [k, clone(v)]));
  }

  restore(s: Map<string, Doc[]>): void {
    this.data = s;
  }

  collection(name: string): MingoCollection {
    return new MingoCollection(this, name);
  }
}

class MingoCollection {
  private readonly unique: { keys: Spec; partial?: Doc }[];

  constructor(private readonly db: MingoDb, private readonly name: string) {
    const schema = SCHEMAS[name as CollectionName];
    this.unique = [{ keys: { _id: 1 } }, ...schema.indexes()
      .filter(([, o]) => o?.unique)
      .map(([keys, o]) => ({ keys: keys as Spec, partial: o?.partialFilterExpression as Doc | undefined }))];
  }

  private get docs(): Doc[] {
    return this.db.docs(this.name);
  }

  private checkUnique(doc: Doc, except?: Doc): void {
    for (const u of this.unique) {
      if (u.partial && !new Query(u.partial).test(doc)) continue;
      const key = JSON.stringify(Object.keys(u.keys).map((k) => get(doc, k) ?? null));
      const clash = this.docs.some((d) => d !== except && (!u.partial || new Query(u.partial).test(d)) &&
        JSON.stringify(Object.keys(u.keys).map((k) => get(d, k) ?? null)) === key);
      if (clash) throw new DuplicateKey(u.keys, this.name);
    }
  }

  private cursor(filter: Doc, projection?: Doc) {
    let sort: Spec | undefined;
    let skip = 0;
    let limit = 0;
    const self = {
      sort: (s: Spec) => ((sort = s), self),
      skip: (n: number) => ((skip = n), self),
      limit: (n: number) => ((limit = n), self),
      toArray: async () => {
        let c = find(this.docs, filter, projection);
        if (sort) c = c.sort(sort);
        if (skip) c = c.skip(skip);
        if (limit) c = c.limit(limit);
        return c.all().map((d) => clone(d as Doc));
      },
    };
    return self;
  }

  async insertOne(doc: Doc) {
    this.checkUnique(doc);
    this.docs.push(clone(doc));
    return { insertedId: doc._id };
  }

  async findOne(filter: Doc, opts: { projection?: Doc } = {}) {
    return (await this.cursor(filter, opts.projection).limit(1).toArray())[0] ?? null;
  }

  find(filter: Doc, opts: { projection?: Doc } = {}) {
    return this.cursor(filter, opts.projection);
  }

  async countDocuments(filter: Doc) {
    return find(this.docs, filter).all().length;
  }

  private applyOne(filter: Doc, modifier: Doc, upsert = false): { matched: boolean; upserted: boolean; doc: Doc | null } {
    const hit = find(this.docs, filter).all()[0] as Doc | undefined;
    if (!hit) {
      if (!upsert) return { matched: false, upserted: false, doc: null };
      const { $setOnInsert, ...rest } = modifier as { $setOnInsert?: Doc };
      const doc: Doc = { ...equalities(filter), ...($setOnInsert ?? {}) };
      if (Object.keys(rest).length > 0) update(doc, rest as never);
      this.checkUnique(doc);
      this.docs.push(doc);
      return { matched: false, upserted: true, doc };
    }
    const next = clone(hit);
    const { $setOnInsert: _ignored, ...rest } = modifier as { $setOnInsert?: Doc };
    if (Object.keys(rest).length > 0) update(next, rest as never);
    this.checkUnique(next, hit);
    this.docs[this.docs.indexOf(hit)] = next;
    return { matched: true, upserted: false, doc: next };
  }

  async updateOne(filter: Doc, modifier: Doc) {
    const r = this.applyOne(filter, modifier);
    return { matchedCount: r.matched ? 1 : 0, modifiedCount: r.matched ? 1 : 0 };
  }

  async findOneAndUpdate(filter: Doc, modifier: Doc, opts: { upsert?: boolean; projection?: Doc } = {}) {
    const r = this.applyOne(filter, modifier, opts.upsert === true);
    if (!r.doc) return null;
    return opts.projection ? (find([r.doc], {}, opts.projection).all()[0] as Doc) : clone(r.doc);
  }

  async bulkWrite(ops: { updateOne: { filter: Doc; update: Doc; upsert?: boolean } }[]) {
    let upsertedCount = 0;
    for (const { updateOne: op } of ops) if (this.applyOne(op.filter, op.update, op.upsert === true).upserted) upsertedCount++;
    return { upsertedCount };
  }

  private remove(filter: Doc, one: boolean) {
    const hits = find(this.docs, filter).all() as Doc[];
    const gone = new Set(one ? hits.slice(0, 1) : hits);
    const kept = this.docs.filter((d) => !gone.has(d));
    this.docs.splice(0, this.docs.length, ...kept);
    return { deletedCount: gone.size };
  }

  async deleteOne(filter: Doc) {
    return this.remove(filter, true);
  }

  async deleteMany(filter: Doc) {
    return this.remove(filter, false);
  }

  aggregate(pipeline: Doc[]) {
    return {
      toArray: async () =>
        new Aggregator(pipeline, { collectionResolver: (n: string) => this.db.docs(n) }).run(this.docs).map((d) => clone(d as Doc)),
    };
  }
}
