/**
 * An import reads its file's lines as node:readline splits them (what it used before): a line ends
 * at \n, \r\n or a lone \r, whatever chunk boundary falls inside a break or a multi-byte character.
 * readline itself is the oracle: every text below, read in chunks of every size from 1 byte, gives
 * readline's lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createReadStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileLines } from "../../src/cli/file-lines";

const dir = mkdtempSync(join(tmpdir(), "orgscim-lines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readlineLines(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity })) out.push(l);
  return out;
}

async function ours(file: string, chunk: number): Promise<string[]> {
  const out: string[] = [];
  for await (const ls of fileLines(file, chunk)) {
    expect(ls.length).toBeGreaterThan(0);
    out.push(...ls);
  }
  return out;
}

const TEXTS: Record<string, string> = {
  "lines ending with \\n": '{"a":1}\n{"b":2}\n',
  "a last line without a break": '{"a":1}\n{"b":2}',
  "\\r\\n breaks": "one\r\ntwo\r\n\r\nfour\r\n",
  "lone \\r breaks, at the end too": "one\rtwo\r\rfour\r",
  "mixed breaks": "a\r\nb\nc\rd\n\re\r\r\nf",
  "blank lines and spaces": "\n\n  \n\t\nx\n\n",
  "multi-byte characters (2, 3 and 4 bytes) next to breaks": "é\n日本\r\n😀x\r😀\nß",
  "a lone \\r right before the end": "x\r",
  "only breaks": "\r\n\r\n\n\r",
  "empty": "",
  "invalid UTF-8 bytes": "\u00ff",
};

describe("an import file's lines are readline's lines", () => {
  for (const [name, text] of Object.entries(TEXTS)) {
    it(name, async () => {
      const file = join(dir, `${Object.keys(TEXTS).indexOf(name)}.txt`);
      writeFileSync(file, name === "invalid UTF-8 bytes" ? Buffer.from([0x61, 0xff, 0xc3, 0x0a, 0xe6, 0x97, 0x0a, 0x62]) : text);
      const expected = await readlineLines(file);
      const size = Buffer.byteLength(text) + 8;
      for (let chunk = 1; chunk <= size; chunk++) expect([chunk, await ours(file, chunk)]).toEqual([chunk, expected]);
    });
  }

  it("a line longer than a chunk, many times over", async () => {
    const file = join(dir, "long.txt");
    const long = "x".repeat(5000);
    writeFileSync(file, `${long}\r\n${long}é\n${long}`);
    expect(await ours(file, 64)).toEqual(await readlineLines(file));
  });

  it("joins a line that spans many chunks once, not once a chunk (its bytes are copied about once, not chunks times over)", async () => {
    const file = join(dir, "very-long.txt");
    const long = "y".repeat(64 * 1024);
    writeFileSync(file, `a\n${long}\r\n${long}\rb`);
    let joined = 0;
    const real = Buffer.concat.bind(Buffer);
    const spy = jest.spyOn(Buffer, "concat").mockImplementation((list: readonly Uint8Array[], total?: number) => {
      const out = real(list, total);
      joined += out.length;
      return out;
    });
    try {
      expect(await ours(file, 64)).toEqual(await readlineLines(file));
    } finally {
      spy.mockRestore();
    }
    expect(joined).toBeLessThanOrEqual(2 * (2 * long.length + 6));
  });
});
