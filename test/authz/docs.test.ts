/** docs/authorization.md is the policy table rendered: it cannot drift from what the server decides. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderAuthorizationDoc } from "../../src/domain/policy/render";

describe("docs/authorization.md", () => {
  it("is the rendering of the policy table (run `npm run docs:authorization` after changing the table)", () => {
    const committed = readFileSync(join(__dirname, "..", "..", "docs", "authorization.md"), "utf8");
    expect(committed).toBe(renderAuthorizationDoc());
  });

  it("names every action of the table", () => {
    const doc = renderAuthorizationDoc();
    const { POLICY } = jest.requireActual("../../src/domain/policy/table") as typeof import("../../src/domain/policy/table");
    expect(POLICY.filter((r) => !doc.includes(`### \`${r.id}\``)).map((r) => r.id)).toEqual([]);
  });
});
