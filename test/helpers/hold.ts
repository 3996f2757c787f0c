/**
 * Requests held open in a server by a client that announces a body and never sends it, through
 * any door: with `Expect: 100-continue`, Node answers 100 as it hands the request to express, so
 * the hold is known to have arrived without any timing (the overload and shedding rules count
 * what the server holds: src/http/overload.ts).
 */
import { connect } from "node:net";

export interface Held {
  release(): void;
}

/** Holds `method path` of `base` with `headers` (an Authorization header, or none): resolves once the server took it. */
export function holdRaw(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Held> {
  const u = new URL(base);
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${u.host}\r\n${extra}Content-Length: 100\r\nExpect: 100-continue\r\n\r\n`);
    });
    let head = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      head += d;
      if (/^HTTP\/1\.1 100 /.test(head)) resolve({ release: () => socket.destroy() });
      else if (/^HTTP\/1\.1 [2-5]/.test(head)) reject(new Error(`the held request was answered: ${head.slice(0, 200)}`));
    });
    socket.on("error", reject);
  });
}

export async function holdMany(n: number, hold: () => Promise<Held>): Promise<Held[]> {
  return Promise.all(Array.from({ length: n }, hold));
}

export function releaseAll(held: readonly Held[]): void {
  for (const h of held) h.release();
}
