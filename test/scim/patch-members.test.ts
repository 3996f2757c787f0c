/** splitMemberOps: group membership as row operations, every form an IdP or the RFC sends. */
import { DomainError } from "../../src/domain/errors";
import { parsePatchRequest, splitMemberOps } from "../../src/scim/patch";
import { body, groupSchema } from "./patch-fixtures";

const split = (...ops: unknown[]) => splitMemberOps(parsePatchRequest(body(...ops), groupSchema, "compatible"));

describe("splitMemberOps", () => {
  it("turns add members [{value}] into an add of those ids, once each", () => {
    expect(split({ op: "add", path: "members", value: [{ value: "a" }, { value: "b" }, { value: "a" }] }).memberOps).toEqual([{ kind: "add", ids: ["a", "b"] }]);
  });
  it("turns a path-less add {members:[...]} into an add", () => {
    expect(split({ op: "add", value: { members: [{ value: "a" }] } }).memberOps).toEqual([{ kind: "add", ids: ["a"] }]);
  });
  it("turns a path-less replace {members:[...]} into a replace and keeps displayName as another op", () => {
    const { memberOps, otherOps } = split({ op: "replace", value: { displayName: "X", members: [{ value: "a" }] } });
    expect(memberOps).toEqual([{ kind: "replace", ids: ["a"] }]);
    expect(otherOps).toMatchObject([{ op: "replace", path: { attr: "displayName" }, value: "X" }]);
  });
  it("turns remove members[value eq x or value eq y] into a remove of both ids", () => {
    expect(split({ op: "remove", path: 'members[value eq "x" or value eq "y"]' }).memberOps).toEqual([{ kind: "remove", ids: ["x", "y"] }]);
  });
  it("turns remove members without a value into removeAll", () => {
    expect(split({ op: "remove", path: "members" }).memberOps).toEqual([{ kind: "removeAll" }]);
  });
  it("removes nothing when Remove members carries an empty value array", () => {
    expect(split({ op: "Remove", path: "members", value: [] }).memberOps).toEqual([]);
  });
  it("turns replace members [] into removeAll", () => {
    expect(split({ op: "replace", path: "members", value: [] }).memberOps).toEqual([{ kind: "removeAll" }]);
  });
  it("accepts the path MEMBERS without case", () => {
    expect(split({ op: "Add", path: "MEMBERS", value: [{ value: "a" }] }).memberOps).toEqual([{ kind: "add", ids: ["a"] }]);
  });
  it("keeps request order across several member ops", () => {
    expect(split(
      { op: "add", path: "members", value: [{ value: "a" }] },
      { op: "remove", path: "members", value: [{ value: "a" }] },
      { op: "add", path: "members", value: [{ value: "b" }] },
    ).memberOps).toEqual([{ kind: "add", ids: ["a"] }, { kind: "remove", ids: ["a"] }, { kind: "add", ids: ["b"] }]);
  });
  it("answers invalidPath for a filter on members other than value", () => {
    let err: unknown;
    try {
      split({ op: "remove", path: 'members[display eq "x"]' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe("invalidPath");
    expect((err as DomainError).message).toContain("only value filters are supported on members");
  });
  it("answers invalidPath for value filters joined by and", () => {
    expect(() => split({ op: "remove", path: 'members[value eq "x" and value eq "y"]' })).toThrow(expect.objectContaining({ kind: "invalidPath" }));
  });
  it("answers invalidValue for a member without a value", () => {
    expect(() => split({ op: "add", path: "members", value: [{ display: "x" }] })).toThrow(expect.objectContaining({ kind: "invalidValue" }));
  });
  it("answers mutability for a change of a member's immutable display", () => {
    expect(() => split({ op: "replace", path: 'members[value eq "x"].display', value: "y" })).toThrow(expect.objectContaining({ kind: "mutability" }));
  });
});
