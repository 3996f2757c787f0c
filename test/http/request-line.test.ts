/**
 * The request line written as text (src/http/request-line.ts) is the line pino writes for
 * `logger.info(line, "request")`, byte for byte, on the loggers createLogger makes and their
 * children; any other logger is left to pino. The time is pino's isoTime text, made once a millisecond.
 */
import pino from "pino";
import { createLogger, isoTimeOncePerMs } from "../../src/http/logging";
import { pinoString, writeRequestLine, type RequestLine } from "../../src/http/request-line";

function sink(): { stream: pino.DestinationStream; written: string[] } {
  const written: string[] = [];
  return { stream: { write: (s: string) => void written.push(s) }, written };
}

const base: RequestLine = {
  reqId: "09d359cf-5284-4194-97ab-68cc5a817f89", method: "GET", path: "/scim/v2/Users", status: 200, ms: 1.23,
  org: "OR01a24eac1dc7cbad0865cac231d6d33a", tokenSid: "TKcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", traceId: undefined,
};

const paths = [
  "/scim/v2/Users", "/scim/v2/Users/US01", "/", "", "/a\"b", "/a\\b", "/\"\\\"", "/tab\there", "/nul\u0000", "/\u001f",
  "/caf\u00e9/\u00ff\u0080", "/snow\u2603", "/emoji\ud83d\ude00", `/${"x".repeat(99)}`, `/${"x".repeat(100)}`, `/${"\"".repeat(120)}`,
  `/${"y".repeat(300)}\u0001`, "/%22%5C", "/Users?x", "/a b",
];

const lines: RequestLine[] = [
  base,
  ...paths.map((path) => ({ ...base, path })),
  { ...base, org: undefined, tokenSid: undefined },
  { ...base, traceId: "4bf92f3577b34da6a3ce929d0e0e4736" },
  { ...base, reqId: undefined },
  { ...base, reqId: "client-chosen.1", method: "PATCH", status: 404, ms: 0 },
  { ...base, ms: 117.4, status: 201 },
  { ...base, ms: 1e-7 },
  { ...base, ms: 123456789.12 },
  { ...base, ms: Number.NaN },
  { ...base, method: "M\"\\" },
];

describe("the request line as text", () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ["a logger createLogger made", (s: pino.DestinationStream) => createLogger("info", s)],
    ["its child (a worker of WORKERS=N)", (s: pino.DestinationStream) => createLogger("info", s).child({ worker: 2 })],
    ["a child with bindings that need escaping", (s: pino.DestinationStream) => createLogger("debug", s).child({ "we\"ird": "a\\b\u0001" })],
  ])("is what pino writes for logger.info(line, \"request\"), for %s", (_name, make) => {
    jest.spyOn(Date, "now").mockReturnValue(Date.parse("2026-12-07T04:03:53.195Z"));
    const { stream, written } = sink();
    const logger = make(stream);
    for (const line of lines) {
      written.length = 0;
      logger.info(line, "request");
      expect(writeRequestLine(logger, line)).toBe(true);
      expect(written).toHaveLength(2);
      expect(written[1]).toBe(written[0]);
    }
  });

  it("leaves a logger it did not make, or one that does not log info, to pino", () => {
    const other = sink();
    expect(writeRequestLine(pino({ level: "info" }, other.stream), base)).toBe(false);
    const quiet = sink();
    expect(writeRequestLine(createLogger("warn", quiet.stream), base)).toBe(false);
    expect([...other.written, ...quiet.written]).toEqual([]);
  });

  it("quotes strings as pino does", () => {
    for (const s of paths) expect(JSON.parse(pinoString(s))).toBe(s);
    expect(pinoString("a\"b\\c")).toBe(JSON.stringify("a\"b\\c"));
  });
});

describe("the log's time", () => {
  afterEach(() => jest.restoreAllMocks());

  it("is pino's isoTime text, also when the millisecond changes and comes back", () => {
    const now = jest.spyOn(Date, "now");
    for (const t of [0, 0, 1, 1, 999, 1000, 1_765_000_000_123, 1_765_000_000_123, 1_765_000_000_124, 5, 1_765_000_000_124]) {
      now.mockReturnValue(t);
      expect(isoTimeOncePerMs()).toBe(pino.stdTimeFunctions.isoTime());
    }
  });
});
