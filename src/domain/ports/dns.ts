/**
 * The DNS port: what domain verification needs from DNS, and nothing else. The production adapter
 * (src/infra/dns.ts) asks the configured resolvers (DNS_SERVERS) with a timeout; tests point it at
 * a real DNS server on loopback (test/helpers/dns-server.ts). The domain never imports node:dns.
 *
 * Two outcomes must never be confused, because one of them changes a domain's state:
 * - "no such record": the resolver answered that the name does not exist (NXDOMAIN) or has no TXT
 *   records (NODATA). `resolveTxt` resolves to `[]`.
 * - "resolver failure": no authoritative answer was obtained (timeout, connection refused,
 *   SERVFAIL, REFUSED, a malformed answer...). `resolveTxt` rejects with `DnsUnavailable`, and
 *   callers leave every state as it is.
 */

export interface TxtResolver {
  /**
   * The TXT records at `name`, each as its character-strings (a record longer than 255 bytes
   * arrives split; join the strings of one record to read it). `[]` when there is no such record.
   * Rejects with `DnsUnavailable` when no answer could be obtained.
   */
  resolveTxt(name: string): Promise<string[][]>;
}

export class DnsUnavailable extends Error {
  /** The resolver's own code (ETIMEOUT, ECONNREFUSED, ESERVFAIL, ...), for logs. */
  readonly code: string;

  constructor(code: string, cause?: unknown) {
    super(`DNS resolver failure (${code})`, cause === undefined ? undefined : { cause });
    this.name = "DnsUnavailable";
    this.code = code;
  }
}
