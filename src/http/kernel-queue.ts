/**
 * What the kernel still holds for a listening TCP port, read from /proc/net/tcp and /proc/net/tcp6
 * (Linux), for the drain (./drain.ts):
 *
 * - connections in the listener's accept queue (established, not yet taken by the process), and
 * - handshakes in progress (SYN_RECV: the client got the SYN-ACK, so it counts itself connected
 *   and may have sent its request; the server has not seen the client's ACK yet).
 *   Closing a listening socket resets both kinds (RST): they must be taken first.
 * - bytes received on each connection and not yet read by the process. Closing a socket with
 *   unread bytes sends RST instead of FIN, which can cut off what is still being sent to the peer.
 *
 * Nothing in userland sees these through Node's API; a turn of the event loop that accepts nothing
 * only says that the accept queue was empty when the loop last polled. Null where the files are not
 * there (not Linux, or /proc not mounted): the drain then relies on the event loop alone.
 */
import { readFileSync } from "node:fs";

export interface KernelView {
  /** Connections in the accept queue of the listener(s) on the port. */
  queued: number;
  /** Handshakes in progress towards the port (the kernel resets them if the listener closes). */
  handshakes: number;
  /** Unread bytes on connections accepted on the port, by the peer's port (0 when none is listed). */
  unread(remotePort: number): number;
}

const LISTEN = "0A";
const SYN_RECV = "03";
const NEW_SYN_RECV = "0C";

/** `hex:HEX` → the port after the colon (the address is not needed: the local port says which listener). */
const portOf = (address: string): number => parseInt(address.slice(address.lastIndexOf(":") + 1), 16);

/** Parses the text of /proc/net/tcp or tcp6 for one local port into `into`. Exported for tests. */
export function readProcTcp(text: string, port: number, into: { queued: number; handshakes: number; unread: Map<number, number> }): void {
  const lines = text.split("\n");
  for (let i = 1; i < lines.length; i++) {
    // "  sl  local_address rem_address   st tx_queue:rx_queue ..."
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 5 || portOf(f[1]!) !== port) continue;
    const state = f[3]!;
    const rx = parseInt(f[4]!.slice(f[4]!.indexOf(":") + 1), 16) || 0;
    if (state === LISTEN) into.queued += rx; // a listener's rx_queue is its accept queue's length
    else if (state === SYN_RECV || state === NEW_SYN_RECV) into.handshakes += 1;
    else {
      // Several peers may share a port number (different addresses): the largest count stands for all.
      const peer = portOf(f[2]!);
      into.unread.set(peer, Math.max(into.unread.get(peer) ?? 0, rx));
    }
  }
}

/** The kernel's view of `port` now, or null when /proc/net/tcp cannot be read. */
export function kernelView(port: number, files: readonly string[] = ["/proc/net/tcp", "/proc/net/tcp6"]): KernelView | null {
  const into = { queued: 0, handshakes: 0, unread: new Map<number, number>() };
  let read = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "latin1");
    } catch {
      continue;
    }
    read += 1;
    readProcTcp(text, port, into);
  }
  if (read === 0) return null;
  return { queued: into.queued, handshakes: into.handshakes, unread: (peer) => into.unread.get(peer) ?? 0 };
}
