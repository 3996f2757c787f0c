/**
 * How a user line becomes an import item (src/cli/import-lines.ts decodeItem): its resource is
 * coerced as POST /Users coerces it, with the orgscim extension's file-only fields (orgRole,
 * status) taken out first. A resource without that extension decodes exactly as one with an empty
 * extension: what an export writes for a user without role or status, and what a hand-written file
 * or another tool's leaves out.
 */
import { decodeItem } from "../../src/cli/import-lines";
import { ORGSCIM_USER_SCHEMA } from "../../src/scim/schemas";
import { userBody } from "../helpers/server";

const line = (resource: Record<string, unknown>) => ({ type: "user", resource });

describe("a user line without the orgscim extension", () => {
  it("decodes as with an empty one", () => {
    const body = { id: "US0123456789abcdef0123456789abcdef", ...userBody("no-ext@example.com") };
    expect(decodeItem(line(body))).toEqual(decodeItem(line({ ...body, [ORGSCIM_USER_SCHEMA]: {} })));
    expect(decodeItem(line(body), "guarded")).toEqual(decodeItem(line({ ...body, [ORGSCIM_USER_SCHEMA]: {} }), "guarded"));
  });

  it("keeps the role and status of a line that has it", () => {
    const body = { ...userBody("with-ext@example.com"), [ORGSCIM_USER_SCHEMA]: { orgRole: "administrator", status: "pending" } };
    const item = decodeItem(line(body), "guarded");
    expect(item).toMatchObject({ kind: "user", user: { orgRole: "administrator", status: "pending" } });
  });
});
