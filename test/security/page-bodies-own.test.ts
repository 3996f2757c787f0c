/**
 * Every page's body is its own bytes (docs/security.md case 72, held). A page of users is written
 * into a buffer that is kept, once its response has finished, for a later page's body (efaa6ee,
 * src/http/scim/list-body.ts JsonBody): a buffer taken again while a response still holds it, or a
 * body sent past the bytes it wrote, would put one page's users (another organization's among
 * them) into another's answer, or a mix of two.
 *
 * Attacked over real sockets, two organizations with users of their own (multi-byte names, so
 * sizes in bytes and units differ), pages of 3 to 60 users (one string, or a buffer of ~4 to ~60
 * KB: a kept buffer is often too small for the next page, and a larger one is reused for a smaller
 * page) by GET with and without a filter and by POST /Users/.search: (1) one connection per page,
 * each page's bytes recorded alone; (2) every page pipelined on one connection read a little per
 * turn of the event loop (so its answers wait in the server's socket queue while the next pages are
 * written), with the two organizations' tokens interleaved; (3) 24 connections at once, each
 * pipelining four pages, half of them destroyed as soon as their first answer starts (their
 * buffers are dropped mid-write); (4) one page larger than the largest buffer kept (4 MB) between
 * smaller ones. Held when every answer read in whole is byte for byte the page recorded alone.
 * Real HTTP, real SQLite store.
 */
import { connect, type Socket } from "node:net";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(240_000);

let s: TestServer;
const tokens: Record<"a" | "b" | "c", string> = { a: "", b: "", c: "" };
const run = Math.random().toString(36).slice(2, 8);
const USERS = 60;

beforeAll(async () => {
  s = await startTestServer();
  for (const org of ["a", "b"] as const) {
    tokens[org] = (await s.newOrg({ domainEnforcement: false })).token;
    for (let i = 0; i < USERS; i++) {
      const name = `${org}${String(i).padStart(3, "0")}-${run}@acme.test`;
      // Names of 1 to 4 UTF-8 bytes a character, of lengths that vary by user.
      const display = `${org.toUpperCase()} ${"Zoë李😀".repeat(1 + (i % 7))} ${i}`;
      const r = await call("POST", `${s.scim}/Users`, tokens[org], userBody(name, { displayName: display, title: "t".repeat((i * 37) % 300) }));
      expect(r.status).toBe(201);
    }
  }
  // Organization c: 12 users of ~450 KB each (titles of 1 to 3 UTF-8 bytes a character), a page of ~5.4 MB.
  tokens.c = (await s.newOrg({ domainEnforcement: false })).token;
  for (let i = 0; i < 12; i++) {
    const r = await call("POST", `${s.scim}/Users`, tokens.c, userBody(`c${String(i).padStart(3, "0")}-${run}@acme.test`, { title: `${"é".repeat(100_000)}${"李".repeat(50_000)}${"x".repeat(150_000)}${i}` }));
    expect(r.status).toBe(201);
  }
});
afterAll(() => s.close());

interface Page { org: "a" | "b" | "c"; method: "GET" | "POST"; target: string; body?: string }

const enc = encodeURIComponent;
const pages: Page[] = (["a", "b"] as const).flatMap((org): Page[] => [
  { org, method: "GET", target: `/scim/v2/Users?count=60` },
  { org, method: "GET", target: `/scim/v2/Users?count=3&startIndex=2` },
  { org, method: "GET", target: `/scim/v2/Users?count=13&startIndex=20` },
  { org, method: "GET", target: `/scim/v2/Users?count=37&startIndex=5` },
  { org, method: "GET", target: `/scim/v2/Users?filter=${enc(`userName sw "${org}0"`)}&count=25` },
  { org, method: "GET", target: `/scim/v2/Users?filter=${enc(`displayName co "${org.toUpperCase()} Zoë李😀Zoë"`)}&count=50` },
  { org, method: "POST", target: "/scim/v2/Users/.search", body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], startIndex: 7, count: 45 }) },
]);

const requestBytes = (p: Page, close: boolean): string => {
  const u = new URL(s.url);
  const body = p.body ?? "";
  return `${p.method} ${p.target} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${tokens[p.org]}\r\n`
    + (p.body !== undefined ? `Content-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : "")
    + (close ? "Connection: close\r\n" : "") + `\r\n${body}`;
};

interface Answer { status: number; body: Buffer }

/** The answers in `bytes` (each framed by its Content-Length), the bytes they took, and the length the next one needs (0: its head is not all there). */
function answersIn(bytes: Buffer): { answers: Answer[]; used: number; next: number } {
  const answers: Answer[] = [];
  let at = 0;
  for (;;) {
    const end = bytes.indexOf("\r\n\r\n", at);
    if (end < 0) return { answers, used: at, next: 0 };
    const head = bytes.subarray(at, end).toString("latin1");
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
    if (!Number.isFinite(length)) throw new Error(`an answer without Content-Length: ${head.slice(0, 300)}`);
    if (bytes.length < end + 4 + length) return { answers, used: at, next: end + 4 + length - at };
    answers.push({ status: Number(head.slice(9, 12)), body: bytes.subarray(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
}

/** Answers read from bytes arriving in pieces: a piece is joined to the rest only once the next answer can be complete. */
function answerReader() {
  let pieces: Buffer[] = [];
  let size = 0;
  let need = 0;
  const answers: Answer[] = [];
  return {
    answers,
    push(piece: Buffer): void {
      pieces.push(piece);
      size += piece.length;
      if (size < need) return;
      const all = Buffer.concat(pieces);
      const got = answersIn(all);
      answers.push(...got.answers);
      const rest = all.subarray(got.used);
      pieces = [rest];
      size = rest.length;
      need = got.next;
    },
  };
}

/**
 * Sends `list` pipelined on one connection and reads its answers `perTurn` bytes at a time, one
 * read a turn of the event loop (the server runs in this process, so it writes meanwhile).
 * `destroyAfterFirstByte`: the connection is destroyed once the first bytes of an answer arrive.
 */
function pipelined(list: Page[], perTurn: number, destroyAfterFirstByte = false): Promise<Answer[]> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port: Number(u.port), host: u.hostname });
    const reader = answerReader();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(reader.answers);
    };
    socket.on("error", (e) => (destroyAfterFirstByte ? finish() : reject(e)));
    socket.on("close", finish);
    socket.on("connect", () => {
      socket.write(list.map((p, i) => requestBytes(p, i === list.length - 1)).join(""));
      socket.pause();
      const readSome = (): void => {
        if (done) return;
        const got = socket.read(perTurn) as Buffer | null ?? socket.read() as Buffer | null;
        if (got) {
          reader.push(got);
          if (destroyAfterFirstByte) return finish();
          if (reader.answers.length === list.length) return finish();
          setImmediate(readSome);
        } else socket.once("readable", readSome);
      };
      socket.once("readable", readSome);
    });
  });
}

const expected = new Map<Page, Buffer>();
const label = (p: Page) => `${p.org} ${p.method} ${p.target}`;

/** Each answer's label and whether it is its page's recorded bytes (the first differing offset otherwise). */
function compare(list: Page[], answers: Answer[]): Record<string, string> {
  const out: Record<string, string> = {};
  answers.forEach((a, i) => {
    const want = expected.get(list[i]!)!;
    if (a.status === 200 && a.body.equals(want)) return;
    let k = 0;
    while (k < Math.min(a.body.length, want.length) && a.body[k] === want[k]) k++;
    out[`${i}: ${label(list[i]!)}`] = `status ${a.status}, ${a.body.length} bytes (want ${want.length}), first difference at ${k}: ${JSON.stringify(a.body.subarray(k, k + 80).toString("utf8"))}`;
  });
  return out;
}

describe("pages sharing the kept body buffers", () => {
  beforeAll(async () => {
    for (const p of pages) {
      const [a] = await pipelined([p], 1 << 20);
      expect({ page: label(p), status: a?.status }).toEqual({ page: label(p), status: 200 });
      const parsed = JSON.parse(a!.body.toString("utf8")) as { Resources: { userName: string }[] };
      expect(parsed.Resources.length).toBeGreaterThan(0);
      // Each page holds its own organization's users only (so a mix would show in the bytes).
      expect(parsed.Resources.filter((r) => !r.userName.startsWith(p.org))).toEqual([]);
      expect(a!.body.length).toBeGreaterThan(0);
      expected.set(p, Buffer.from(a!.body));
    }
    // The pages span both ways of sending (one string up to 16 K units, a kept buffer past it).
    const sizes = [...expected.values()].map((b) => b.length);
    expect(Math.min(...sizes)).toBeLessThan(16 * 1024);
    expect(Math.max(...sizes)).toBeGreaterThan(50 * 1024);
  });

  it("answers each page pipelined on one slowly read connection with its own bytes", async () => {
    const list = [...pages, ...[...pages].reverse(), ...pages.filter((_, i) => i % 2 === 0)];
    const answers = await pipelined(list, 1024);
    expect(answers.length).toBe(list.length);
    expect(compare(list, answers)).toEqual({});
  });

  it("answers every page with its own bytes while other connections' answers are dropped mid-write", async () => {
    const jobs: Promise<{ list: Page[]; answers: Answer[]; whole: boolean }>[] = [];
    for (let c = 0; c < 24; c++) {
      const list = [0, 1, 2, 3].map((k) => pages[(c * 5 + k * 3) % pages.length]!);
      const aborted = c % 2 === 1;
      jobs.push(pipelined(list, aborted ? 512 : 4096 + c * 997, aborted).then((answers) => ({ list, answers, whole: !aborted })));
    }
    const results = await Promise.all(jobs);
    const wrong: Record<string, string> = {};
    let read = 0;
    for (const r of results) {
      if (r.whole) {
        expect(r.answers.length).toBe(r.list.length);
        read += r.answers.length;
      }
      Object.assign(wrong, compare(r.list, r.answers)); // any answer read in whole, aborted connections' included
    }
    expect(read).toBe(48);
    expect(wrong).toEqual({});
  });

  it("answers a page larger than the largest kept buffer, and the pages around it, with their own bytes", async () => {
    const big: Page = { org: "c", method: "GET", target: "/scim/v2/Users?count=12" };
    const first = await pipelined([big], 1 << 20);
    expect(first[0]?.status).toBe(200);
    expect(first[0]!.body.length).toBeGreaterThan(4 * 1024 * 1024);
    expected.set(big, Buffer.from(first[0]!.body));
    const list = [pages[0]!, big, pages[7]!, pages[3]!, big, pages[10]!];
    expect(compare(list, await pipelined(list, 8192))).toEqual({});
  });
});
