/**
 * /v1/openapi.json as a client generator reads it: redocly's recommended lint (the pinned
 * @redocly/cli, .redocly.yaml) passes with no error and no warning on the document a real server
 * serves; every operation has a readable operationId, named components for its bodies, its error
 * responses and, where it pages, PageSize and PageToken. The document the build renders the
 * console's types from is the one served.
 */
import { lintOpenApi } from "../../scripts/lint-openapi";
import { v1Document } from "../../src/http/v1/router";
import { startTestServer, type TestServer } from "../helpers/server";

interface Op { operationId: string; requestBody?: { content: Record<string, { schema: { $ref?: string } }> }; responses: Record<string, { $ref?: string; content?: Record<string, { schema: { $ref?: string } }> }> }
type Doc = { info: Record<string, unknown>; servers: { url: string }[]; paths: Record<string, Record<string, Op>>; components: Record<string, unknown> };

let s: TestServer;
let doc: Doc;
beforeAll(async () => {
  s = await startTestServer({ PUBLIC_URL: "https://orgscim.acme.test" });
  doc = (await (await fetch(`${s.url}/v1/openapi.json`)).json()) as Doc;
});
afterAll(() => s.close());

const ops = () => Object.entries(doc.paths).flatMap(([path, m]) => Object.entries(m).map(([method, op]) => ({ method, path, op })));

describe("/v1/openapi.json", () => {
  it("passes redocly's recommended lint with no error and no warning", () => {
    const r = lintOpenApi(doc);
    expect(r.problems).toEqual([]);
    expect([r.status, r.errors, r.warnings]).toEqual([0, 0, 0]);
  });

  it("is linted for real: a document without a license or an operation's 4xx responses is refused", () => {
    const bad = JSON.parse(JSON.stringify(doc)) as Doc;
    delete bad.info.license;
    const op = bad.paths["/Accounts"]!.get!;
    op.responses = { "200": op.responses["200"]! };
    const r = lintOpenApi(bad);
    expect(r.warnings + r.errors).toBeGreaterThanOrEqual(2);
    expect(r.problems.join("\n")).toMatch(/info-license/);
    expect(r.problems.join("\n")).toMatch(/operation-4xx-response/);
  });

  it("names every operation readably and once: a verb and the resource, never the path's pieces", () => {
    const ids = ops().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !/^(get|list|create|update|close|revoke|remove|delete|verify|accept|resend|require|rotate|reopen)[A-Z][A-Za-z]+$/.test(id) || /Sid/.test(id))).toEqual([]);
  });

  it("refers to a named component for every request body and success body, and declares the errors", () => {
    const problems: string[] = [];
    for (const { method, path, op } of ops()) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const [status, r] of Object.entries(op.responses)) {
        if (/^2/.test(status) && r.content && !r.content["application/json"]?.schema.$ref) problems.push(`${where} ${status}: inline schema`);
      }
      if (op.requestBody && !op.requestBody.content["application/json"]?.schema.$ref) problems.push(`${where}: inline request body`);
      for (const st of ["400", "415", "429", "503"]) if (!op.responses[st]) problems.push(`${where}: no ${st}`);
    }
    expect(problems).toEqual([]);
  });

  it("serves the document the build renders the console's types from (but for its server URL)", () => {
    const built = v1Document("https://orgscim.acme.test") as Doc;
    expect(doc.servers).toEqual([{ url: "https://orgscim.acme.test/v1" }]);
    expect(doc).toEqual(built);
  });
});
