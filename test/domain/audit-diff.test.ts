/**
 * Audit before/after keep only what changed (ids kept to say whose), nested attributes one by one,
 * and never a secret; a create or a removal keeps the whole of its one side.
 */
import { auditChange, withoutSecrets } from "../../src/domain/audit-diff";

describe("auditChange", () => {
  it("keeps only the attributes that changed, with old and new values, and the ids that say whose", () => {
    const before = { userId: "US1", userName: "grace", active: true, version: 3, attributes: { name: { givenName: "Grace", familyName: "Brewster" }, title: "Eng" } };
    const after = { userId: "US1", userName: "grace", active: true, version: 4, attributes: { name: { givenName: "Grace", familyName: "Hopper" }, title: "Eng" } };
    expect(auditChange(before, after)).toEqual({
      before: { userId: "US1", version: 3, attributes: { name: { familyName: "Brewster" } } },
      after: { userId: "US1", version: 4, attributes: { name: { familyName: "Hopper" } } },
    });
  });

  it("records an attribute added or removed on its one side, and arrays whole when they differ", () => {
    const out = auditChange({ emails: [{ value: "a@x.test", primary: true }], nickName: "G" }, { emails: [{ value: "b@x.test", primary: true }], title: "Eng" });
    expect(out).toEqual({ before: { emails: [{ value: "a@x.test", primary: true }], nickName: "G" }, after: { emails: [{ value: "b@x.test", primary: true }], title: "Eng" } });
    expect(auditChange({ members: ["US1", "US2"] }, { members: ["US1", "US2"] })).toEqual({ before: {}, after: {} });
  });

  it("keeps the whole of one side for a create or a removal, and null as null", () => {
    expect(auditChange(null, { accountId: "AC1", role: "developer" })).toEqual({ before: null, after: { accountId: "AC1", role: "developer" } });
    expect(auditChange({ accountId: "AC1", role: "developer" }, undefined)).toEqual({ before: { accountId: "AC1", role: "developer" }, after: null });
  });

  it("never records a secret, at any depth, whatever the case of its key", () => {
    const out = auditChange({ password: "old", data: { Password: "p", nested: [{ tokenHash: "h", keep: 1 }] } }, { password: "new", secret: "s", Token: "oiv_x", data: { Password: "q", nested: [{ tokenHash: "i", keep: 2 }] } });
    expect(JSON.stringify(out)).not.toMatch(/old|new|"p"|"q"|oiv_x|"h"|"i"|"s"/);
    expect(out).toEqual({ before: { data: { nested: [{ keep: 1 }] } }, after: { data: { nested: [{ keep: 2 }] } } });
    const input = { password: "x" };
    expect(withoutSecrets(input)).toEqual({});
    expect(input).toEqual({ password: "x" }); // a copy: the caller's object is untouched
  });

  it("drops a secret's key however its letters are spelt, and keeps every other key whatever its length", () => {
    // The Kelvin sign (U+212A) lowers to an ASCII k: "to\u212Aen" is a "token" key.
    const out = withoutSecrets({ "to\u212Aen": "t", "TOKENHASH": "h", "PlainText": "p", pass: 1, passwords: 2, tokens: 3, hashes: 4, h: 5, "": 6 });
    expect(out).toEqual({ pass: 1, passwords: 2, tokens: 3, hashes: 4, h: 5, "": 6 });
  });

  it("compares as without secrets and undefined: a change of a secret alone is no change, an undefined value is absent", () => {
    const out = auditChange(
      { userId: "US1", data: { password: "old", keep: 1 }, nickName: undefined, title: "Eng" },
      { userId: "US1", data: { password: "new", keep: 1 }, title: "CTO", nickName: "G", hash: "h" },
    );
    expect(out).toEqual({ before: { userId: "US1", title: "Eng" }, after: { userId: "US1", title: "CTO", nickName: "G" } });
    // Keys in the order of the secret-free copies: those of before, then those only after has.
    expect(Object.keys(out.after as object)).toEqual(["userId", "title", "nickName"]);
  });
});
