/**
 * Properties over HTTP, writes: generated PATCH requests (paths, operations, values, member ids of
 * both organizations) on users and groups of org A, org B and made-up ids, and generated POST
 * bodies for Users and Groups (hostile keys, unicode, huge numbers, foreign member ids). The
 * invariants are checked by `send` (./harness.ts): no 5xx, nothing of org B, prototypes untouched,
 * each answer within 100 ms; and at the end org B is exactly as it was.
 */
import fc from "fast-check";
import {
  ENTERPRISE, GROUP_SCHEMA, HOSTILE_ATTRS, idPick, ORG_EXT, oddString, PATCH_SCHEMA, report, resolveId, runs, scalar, send, snapshotB,
  startWorld, timeoutFor, USER_SCHEMA, type IdPick, type World,
} from "./harness";

let w: World;
let before: unknown;
beforeAll(async () => {
  w = await startWorld();
  before = await snapshotB(w);
}, 60_000);
afterAll(async () => {
  report(w, "property/writes");
  await w.server.close();
});

/** A value that may name members: ids are resolved when the case runs. */
type Val = unknown;
const memberRef = idPick.map((p) => ({ $member: p }));
const hostileKey = fc.constantFrom("__proto__", "constructor", "prototype", "$where", "$ne", "$set", "$ref", "toString", "hasOwnProperty", "", " ", "a.b", "emails[type eq \"work\"]");
const value: fc.Arbitrary<Val> = fc.letrec<{ v: Val }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: memberRef },
    { weight: 1, arbitrary: fc.array(tie("v"), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(fc.record({ value: fc.oneof(memberRef, scalar), display: fc.option(oddString, { nil: undefined }) }, { requiredKeys: ["value"] }), { maxLength: 3 }) },
    {
      weight: 2,
      arbitrary: fc.dictionary(
        fc.oneof(
          fc.constantFrom("value", "type", "primary", "display", "givenName", "familyName", "active", "userName", "displayName", "emails", "members", "title", "id", "meta", "groups", `${ENTERPRISE}:department`, `${ORG_EXT}:orgRole`, "name.givenName"),
          hostileKey,
        ),
        tie("v"),
        { maxKeys: 4 },
      ),
    },
  ),
})).v;

/** Replaces {$member: pick} by an id of the world, at run time. */
function materialize(v: Val): Val {
  if (Array.isArray(v)) return v.map(materialize);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("$member" in o && Object.keys(o).length === 1) return resolveId(w, o.$member as IdPick);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: materialize(o[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

const patchPath = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "userName", "active", "title", "displayName", "name", "name.givenName", "emails", "emails.value", 'emails[type eq "work"].value',
      'emails[type eq "home"]', 'emails[primary eq true].type', "phoneNumbers", 'phoneNumbers[type eq "work"].value', `${ENTERPRISE}:department`,
      `${ENTERPRISE}:manager`, `${ORG_EXT}:orgRole`, "members", "externalId", "nickName", "roles", "groups", "id", "meta", "meta.version",
    ),
  },
  { weight: 2, arbitrary: idPick.map((p) => ({ $memberPath: p })) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_ATTRS) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
);

const operation = fc.record(
  {
    op: fc.constantFrom("add", "Add", "remove", "Remove", "replace", "Replace", "REPLACE", "move", "copy", "test", "", "__proto__"),
    path: patchPath,
    value,
  },
  { requiredKeys: ["op"] },
);

/** Operations that are well-formed for a user, so that many cases reach the store. */
const plausibleUserOp = fc.oneof(
  fc.record({ op: fc.constantFrom("replace", "Replace"), path: fc.constantFrom("title", "displayName", "nickName", "name.givenName", `${ENTERPRISE}:department`, "externalId"), value: oddString }),
  fc.record({ op: fc.constantFrom("replace", "Replace"), path: fc.constant("active"), value: fc.constantFrom<unknown>(true, false, "True", "False") }),
  fc.record({ op: fc.constant("add"), path: fc.constant("phoneNumbers"), value: fc.array(fc.record({ value: fc.stringMatching(/^\+1555\d{7}$/), type: fc.constantFrom("work", "mobile") }), { minLength: 1, maxLength: 2 }) }),
  fc.record({ op: fc.constant("replace"), path: fc.constant('emails[type eq "work"].value'), value: fc.stringMatching(/^[a-z]{1,8}@acme\.test$/) }),
  fc.record({ op: fc.constant("replace"), value: fc.record({ title: oddString, active: fc.boolean() }, { requiredKeys: [] }) }),
);
/** Membership operations, with ids of both organizations and made-up ones. */
const plausibleGroupOp = fc.oneof(
  fc.record({ op: fc.constantFrom("add", "Add"), path: fc.constant("members"), value: fc.array(fc.record({ value: memberRef }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constantFrom("remove", "Remove"), path: fc.constant("members"), value: fc.array(fc.record({ value: memberRef }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant("remove"), path: idPick.map((p) => ({ $memberPath: p })) }),
  fc.record({ op: fc.constant("replace"), path: fc.constant("displayName"), value: oddString.map((x) => `g ${x}`) }),
);
const asPatch = (Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });
const mostlyA = (from: "aUser" | "aGroup"): fc.Arbitrary<IdPick> =>
  fc.oneof({ weight: 4, arbitrary: fc.record({ from: fc.constant(from), k: fc.nat() }) }, { weight: 1, arbitrary: idPick });

const patchBody = fc.oneof(
  { weight: 8, arbitrary: fc.array(operation, { minLength: 1, maxLength: 5 }).map((Operations) => ({ schemas: [PATCH_SCHEMA], Operations })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      { schemas: [PATCH_SCHEMA] }, { Operations: [] }, { schemas: [PATCH_SCHEMA], Operations: {} }, { schemas: ["x"], Operations: [{ op: "add", path: "title", value: "t" }] },
      [], "null", "{", '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title","value":"x","__proto__":{"polluted":1}}]}',
      '{"__proto__":{"polluted":1},"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}',
    ),
  },
  { weight: 1, arbitrary: value.map((v) => ({ schemas: [PATCH_SCHEMA], Operations: v })) },
);

function materializePatch(body: unknown): unknown {
  if (typeof body !== "object" || body === null || !Array.isArray((body as { Operations?: unknown }).Operations)) return materialize(body);
  const b = body as { Operations: ({ path?: unknown } | null)[] };
  return {
    ...(materialize(b) as object),
    Operations: b.Operations.map((op) => {
      const m = materialize(op) as Record<string, unknown>;
      // A generated operation may be any JSON value, null included (then there is no path to resolve).
      if (op !== null && typeof op === "object" && op.path && typeof op.path === "object" && "$memberPath" in op.path) {
        m.path = `members[value eq "${resolveId(w, (op.path as { $memberPath: IdPick }).$memberPath)}"]`;
      }
      return m;
    }),
  };
}

describe("generated PATCH requests over HTTP", () => {
  const n = runs(0.12);
  it(`answer ${n} PATCHes on users and groups (A's, B's, made up) without 5xx, leaks, pollution or slowness`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(
        { weight: 3, arbitrary: fc.tuple(fc.constant("Users"), mostlyA("aUser"), fc.array(plausibleUserOp, { minLength: 1, maxLength: 2 }).map(asPatch)) },
        { weight: 2, arbitrary: fc.tuple(fc.constant("Groups"), mostlyA("aGroup"), fc.array(plausibleGroupOp, { minLength: 1, maxLength: 2 }).map(asPatch)) },
        { weight: 3, arbitrary: fc.tuple(fc.constantFrom("Users", "Groups"), idPick, patchBody) },
      ), fc.boolean(), async ([type, target, body], withAttributes) => {
        const id = resolveId(w, target);
        const r = await send(w, {
          method: "PATCH",
          path: `/${type}/${encodeURIComponent(id)}${withAttributes ? "?attributes=id,members,emails" : ""}`,
          body: materializePatch(body),
        });
        if (w.bIds.has(id)) expect([400, 404]).toContain(r.status);
      }),
      { numRuns: n },
    );
  }, timeoutFor(n));
});

const userPost = fc.record(
  {
    schemas: fc.oneof(fc.constant([USER_SCHEMA]), fc.constant([USER_SCHEMA, ENTERPRISE]), fc.constant([]), fc.array(oddString, { maxLength: 2 }), scalar),
    userName: fc.oneof(oddString, scalar, value),
    externalId: fc.oneof(oddString, scalar),
    displayName: oddString,
    active: scalar,
    name: value,
    emails: fc.oneof(
      fc.array(fc.record({ value: fc.oneof(oddString, oddString.map((s) => `${s}@acme.test`)), type: fc.constantFrom("work", "home", "other", ""), primary: scalar }, { requiredKeys: ["value"] }), { maxLength: 3 }),
      value,
    ),
    phoneNumbers: value,
    groups: value,
    id: fc.oneof(idPick.map((p) => ({ $member: p })), oddString),
    meta: value,
    password: oddString,
    [ENTERPRISE]: value,
    [ORG_EXT]: fc.oneof(fc.record({ orgRole: fc.constantFrom("owner", "administrator", "standard", "Owner", "x", "__proto__") }), value),
  },
  { requiredKeys: [] },
);
const extraKeys = fc.oneof(fc.constant({}), fc.dictionary(hostileKey, value, { maxKeys: 2 }));

/** Users that are valid but for their odd strings: most are created (or collide with 409). */
const plausibleUser = fc.record({
  schemas: fc.constant([USER_SCHEMA, ENTERPRISE]),
  userName: fc.oneof(fc.stringMatching(/^[a-z0-9._-]{1,12}@acme\.test$/), oddString.map((s) => `${s}x`), fc.constantFrom("alice@acme.test", "ALICE@ACME.TEST")),
  displayName: oddString,
  title: oddString,
  active: fc.boolean(),
  emails: fc.array(fc.record({ value: fc.stringMatching(/^[a-z0-9]{1,10}@(acme|home|example)\.test$/), type: fc.constantFrom("work", "home"), primary: fc.boolean() }), { maxLength: 2 }),
  [ENTERPRISE]: fc.record({ department: oddString, employeeNumber: fc.oneof(oddString, fc.integer().map(String)) }, { requiredKeys: [] }),
}, { requiredKeys: ["schemas", "userName"] });

const plausibleGroup = fc.record({
  schemas: fc.constant([GROUP_SCHEMA]),
  displayName: fc.oneof(oddString.map((s) => `g ${s}`), fc.constantFrom("Engineering", "ENGINEERING", "Sales")),
  members: fc.array(fc.record({ value: memberRef }), { maxLength: 4 }),
}, { requiredKeys: ["schemas", "displayName"] });

const groupPost = fc.record(
  {
    schemas: fc.oneof(fc.constant([GROUP_SCHEMA]), fc.array(oddString, { maxLength: 2 })),
    displayName: fc.oneof(oddString, scalar),
    externalId: oddString,
    members: fc.oneof(fc.array(fc.record({ value: fc.oneof(memberRef, scalar), type: fc.constantFrom("User", "Group", "x") }, { requiredKeys: ["value"] }), { maxLength: 4 }), value),
  },
  { requiredKeys: [] },
);

describe("generated POST bodies over HTTP", () => {
  const n = runs(0.13);
  it(`answer ${n} POSTs of users and groups without 5xx, leaks, pollution or slowness`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: fc.tuple(fc.constant("Users"), plausibleUser, fc.constant({})) },
          { weight: 3, arbitrary: fc.tuple(fc.constant("Users"), userPost, extraKeys) },
          { weight: 2, arbitrary: fc.tuple(fc.constant("Groups"), plausibleGroup, fc.constant({})) },
          { weight: 2, arbitrary: fc.tuple(fc.constant("Groups"), groupPost, extraKeys) },
        ),
        async ([type, body, extra]) => {
          const full = materialize({ ...body, ...extra }) as Record<string, unknown>;
          const r = await send(w, { method: "POST", path: `/${type}`, body: full });
          // A group naming any member that is not org A's is refused as a whole.
          const ids = JSON.stringify(full).match(/\b(?:US|GP)[0-9a-f]{32}\b/g) ?? [];
          if (type === "Groups" && ids.some((id) => w.bIds.has(id)) && r.status === 201) {
            expect(JSON.stringify(r.body.members ?? [])).not.toMatch(/bonly/);
          }
        },
      ),
      { numRuns: n },
    );
  }, timeoutFor(n));
});

describe("the checks themselves", () => {
  it("notice another organization's rows (the isolation check is not vacuous)", async () => {
    await expect(send({ ...w, a: w.b }, { method: "GET", path: "/Users?count=5" })).rejects.toThrow(/not org A's|org B's data/);
  });

  it("notice a 2xx answer naming org B's id as a resource, even when the request named it", async () => {
    const bUser = [...w.bIds].find((id) => id.startsWith("US"))!;
    await expect(send({ ...w, a: w.b }, { method: "GET", path: `/Users/${bUser}` })).rejects.toThrow(/names org B's .* \(at id/);
  });
});

describe("org B after all of it", () => {
  it("is exactly as it was", async () => {
    expect(await snapshotB(w)).toEqual(before);
  });
});
