/**
 * A real DNS server on loopback (dns2, UDP, a random port) serving TXT records from a Map the test
 * controls. The server under test reaches it through DNS_SERVERS, exactly as it reaches a real
 * resolver: node:dns is never mocked.
 *
 * - `txt.set(name, [["v"]])`: TXT records at name (each record a list of character-strings).
 * - `txt.set(name, [])`: the name exists with no TXT records (NODATA).
 * - no entry: NXDOMAIN.
 * - `failing.add(name)`: SERVFAIL for that name.
 */
import { createSocket } from "node:dgram";
import DNS from "dns2";

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, the form DNS_SERVERS takes. */
  address: string;
  port: number;
  txt: Map<string, string[][]>;
  failing: Set<string>;
  /** Names asked, lower case, in order. */
  queries: string[];
  /** Sets one TXT record holding `value` at name (replacing what was there). */
  setTxt(name: string, value: string): void;
  close(): Promise<void>;
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const txt = new Map<string, string[][]>();
  const failing = new Set<string>();
  const queries: string[] = [];
  const { Packet } = DNS;
  const server = DNS.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const q = request.questions[0];
      if (q) {
        const name = q.name.toLowerCase().replace(/\.$/, "");
        queries.push(name);
        const records = txt.get(name);
        if (failing.has(name)) response.header.rcode = 2; // SERVFAIL
        else if (!records) response.header.rcode = 3; // NXDOMAIN
        else if (q.type === Packet.TYPE.TXT) {
          for (const data of records) response.answers.push({ name: q.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 0, data } as never);
        }
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  const port = (addresses.udp as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    txt,
    failing,
    queries,
    setTxt(name, value) {
      txt.set(name.toLowerCase(), [[value]]);
    },
    close: () => server.close(),
  };
}

/** A loopback UDP port nobody listens on (bound, then released): a resolver "down". */
export async function closedUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
