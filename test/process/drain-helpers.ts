/** Helpers of the drain test: the URL a server started with PORT=0 listens on, and a reader of pipelined HTTP/1.1 answers. */
import type { Socket } from "node:net";
import type { ServerProcess } from "../helpers/built-server";

/** Waits for the server's "orgscim listening" line (started with PORT=0) and answers its URL. */
export async function listeningUrl(p: ServerProcess, ms = 60_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const url = /"url":"(https?:\/\/[^"]+)","store":"[a-z]+","msg":"orgscim listening"/.exec(p.output())?.[1];
    if (url) return url;
    if (p.child.exitCode !== null) throw new Error(`the server exited (${p.child.exitCode}) before listening:\n${p.output()}`);
    if (Date.now() > end) throw new Error(`the server did not listen within ${ms} ms:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface RawAnswer { status: number; connection?: string; body: string }

/**
 * Reads HTTP/1.1 answers from a socket until the server closes it: each one delimited by
 * Content-Length or chunked encoding. `ended` is true when the server closed it in order (FIN);
 * `error` is set on a reset or a cut-off answer.
 */
export function readPipelined(socket: Socket): Promise<{ answers: RawAnswer[]; ended: boolean; error?: string }> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const answers: RawAnswer[] = [];
    let error: string | undefined;
    const parse = () => {
      for (;;) {
        const headEnd = buf.indexOf("\r\n\r\n");
        if (headEnd < 0) return;
        const head = buf.subarray(0, headEnd).toString("latin1").split("\r\n");
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0]!)?.[1]);
        const headers = new Map(head.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
        let pos = headEnd + 4;
        let body: Buffer;
        if (headers.has("content-length")) {
          const n = Number(headers.get("content-length"));
          if (buf.length < pos + n) { need = pos + n; return; }
          body = buf.subarray(pos, pos + n);
          pos += n;
        } else if (headers.get("transfer-encoding") === "chunked") {
          const parts: Buffer[] = [];
          for (;;) {
            const lineEnd = buf.indexOf("\r\n", pos);
            if (lineEnd < 0) return;
            const size = parseInt(buf.subarray(pos, lineEnd).toString("latin1"), 16);
            if (buf.length < lineEnd + 2 + size + 2) return;
            parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
            pos = lineEnd + 2 + size + 2;
            if (size === 0) break;
          }
          body = Buffer.concat(parts);
        } else {
          error = `an answer without Content-Length or chunked encoding: ${head[0]}`;
          return;
        }
        answers.push({ status, connection: headers.get("connection"), body: body.toString("utf8") });
        buf = buf.subarray(pos);
      }
    };
    let ended = false;
    // Bytes are gathered until the answer being read can be whole (a large body is joined once).
    let need = 0;
    let parts: Buffer[] = [];
    let have = 0;
    socket.on("data", (d: Buffer) => {
      parts.push(d);
      have += d.length;
      if (buf.length + have < need) return;
      buf = Buffer.concat([buf, ...parts]);
      parts = [];
      have = 0;
      need = 0;
      parse();
    });
    socket.on("end", () => { ended = true; });
    socket.on("error", (e: NodeJS.ErrnoException) => { error = e.code ?? e.message; });
    socket.on("close", () => {
      if (have > 0) buf = Buffer.concat([buf, ...parts]);
      if (!error && buf.length > 0) error = `${buf.length} bytes of a cut-off answer`;
      resolve({ answers, ended, error });
    });
  });
}
