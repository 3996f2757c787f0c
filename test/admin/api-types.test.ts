/**
 * The Admin Center's types are generated from the /v1 OpenAPI document (src/admin/api-types.ts,
 * rendered by npm run build through scripts/render-admin-types.ts): this fails when the committed
 * file is not what the current document renders, so a changed response shape cannot leave the
 * console compiled against the old one.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { v1Document } from "../../src/http/v1/router";
import { builtScript } from "../helpers/built-server";

let renderer: string;
beforeAll(() => {
  renderer = builtScript("admin-types");
}, 120_000);

/**
 * The build's own renderer (scripts/admin-types.ts as npm run build compiles it), run in a plain
 * node: openapi-typescript loads ES modules with require(), which node does and jest's module
 * system does not.
 */
async function renderAdminTypes(doc: unknown): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "orgscim-admin-types-"));
  try {
    writeFileSync(join(dir, "openapi.json"), JSON.stringify(doc));
    const script = `require(${JSON.stringify(renderer)}).renderAdminTypes(require(${JSON.stringify(join(dir, "openapi.json"))})).then((t) => process.stdout.write(t), (e) => { console.error(e); process.exit(1); })`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`rendering failed: ${r.stderr}`);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FILE = join(__dirname, "..", "..", "src", "admin", "api-types.ts");

describe("src/admin/api-types.ts", () => {
  it("is what the current /v1 OpenAPI document renders (run npm run build to regenerate it)", async () => {
    const fresh = await renderAdminTypes(v1Document(""));
    expect(readFileSync(FILE, "utf8") === fresh).toBe(true);
  });

  it("changes when the document does (the check can fail)", async () => {
    const doc = v1Document("") as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    doc.components.schemas.Account!.properties.extra = { type: "string" };
    expect(await renderAdminTypes(doc)).not.toBe(readFileSync(FILE, "utf8"));
  });

  it("names every schema the console reads", () => {
    const text = readFileSync(FILE, "utf8");
    for (const name of ["Account", "AccountList", "AuditEventList", "Domain", "Error", "Invitation", "Member", "Organization", "PageMeta", "Token", "TokenCreated", "User"]) {
      expect(text).toMatch(new RegExp(`\\n {8}${name}: \\{`));
    }
  });
});
