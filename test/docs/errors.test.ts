/** docs/errors.md is the error catalogue rendered: it cannot drift from the codes the server sends. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { catalogue, renderErrorsDoc } from "../../src/http/errors-doc";
import { v1ErrorBody } from "../../src/http/v1-errors";

const committed = readFileSync(join(__dirname, "..", "..", "docs", "errors.md"), "utf8");

describe("docs/errors.md", () => {
  it("is the rendering of the error catalogue (run `npm run docs:errors` after changing src/domain/errors.ts)", () => {
    expect(committed).toBe(renderErrorsDoc());
  });

  it("has one section per code, and no code is used by two errors", () => {
    const codes = catalogue().map((e) => e.error.code);
    const dup = codes.filter((c, i) => codes.indexOf(c) !== i);
    expect(dup).toEqual([]);
    const headings = [...committed.matchAll(/^### (\d+)$/gm)].map((m) => Number(m[1]));
    expect(headings).toEqual(codes);
  });

  it("is where every /v1 error's more_info points, at the code's own section", () => {
    const broken = catalogue()
      .map((e) => String(v1ErrorBody(e.error).more_info))
      .filter((url) => {
        const m = /\/docs\/errors\.md#(\d+)$/.exec(url);
        return m === null || !committed.includes(`\n### ${m[1]}\n`);
      });
    expect(broken).toEqual([]);
  });

  it("fills every message's parameters with a named placeholder", () => {
    const unnamed = catalogue().filter((e) => /\{value\}/.test(e.error.message)).map((e) => e.name);
    expect(unnamed).toEqual([]);
  });
});
