/**
 * A port for a server a script starts: the kernel's choice for port 0 on loopback, released just
 * before the server binds it. The server itself is not given PORT=0: it says which port it took
 * only in its "orgscim listening" line at LOG_LEVEL=info, which would also log every request the
 * script times (linear-time polls /healthz every 2 ms). Another process taking the port in between
 * makes the server fail to start, with EADDRINUSE in its output.
 */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("the kernel gave no port for port 0"))));
    });
  });
}
