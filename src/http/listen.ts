/**
 * Listening: plain HTTP, or HTTPS when TLS_CERT_FILE and TLS_KEY_FILE name PEM files (a deployment
 * without a proxy in front). TLS 1.3 is always offered; TLS_MIN_VERSION can refuse 1.2. The files
 * are checked for changes every TLS_RELOAD_INTERVAL_MS: a renewed certificate is taken for new
 * connections without a restart; a file that does not load (unreadable, not PEM, a key that does
 * not match) is logged and the previous certificate stays in use. At start a bad file stops the
 * server with a message naming the variable and the problem.
 */
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import http from "node:http";
import https from "node:https";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import { X509Certificate } from "node:crypto";
import type { Config } from "../config/config";
import type { Logger } from "./logging";
import { serverClasses, type PrototypeSource } from "./request-classes";
import { applyTimeouts } from "./timeouts";

export class TlsFileError extends Error {}


export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** The certificate's subject and end of validity, for the log. */
  subject: string;
  validTo: string;
}

/** Reads and checks the pair; throws TlsFileError saying which file and what is wrong. */
export function loadTlsFiles(certFile: string, keyFile: string): TlsMaterial {
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new TlsFileError(`${name}=${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    }
  };
  const cert = read("TLS_CERT_FILE", certFile);
  const key = read("TLS_KEY_FILE", keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new TlsFileError(`TLS_CERT_FILE=${certFile}: not a PEM certificate (${(e as Error).message}).`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    const msg = (e as Error).message;
    throw new TlsFileError(/mismatch/i.test(msg)
      ? `TLS_KEY_FILE=${keyFile} is not the private key of the certificate in TLS_CERT_FILE=${certFile}.`
      : `TLS_KEY_FILE=${keyFile}: not a usable PEM private key (${msg}).`);
  }
  return { cert, key, subject: x509.subject.replace(/\n/g, ", "), validTo: new Date(x509.validTo).toISOString() };
}

export interface Listening {
  server: http.Server;
  scheme: "http" | "https";
  /** Stops watching the certificate files. */
  close(): void;
  /** Requests and responses made from now on are born with `app`'s prototypes (./request-classes.ts). */
  adopt(app: PrototypeSource): void;
}

export async function listen(handler: http.RequestListener, config: Config, logger: Logger): Promise<Listening> {
  const certFile = config.TLS_CERT_FILE;
  const keyFile = config.TLS_KEY_FILE;
  let server: http.Server;
  let close = () => undefined as void;
  // Requests and responses with the properties the app gives them declared at construction (./request-classes.ts).
  const classes = serverClasses();
  const CLASSES = { IncomingMessage: classes.IncomingMessage as typeof http.IncomingMessage, ServerResponse: classes.ServerResponse as unknown as typeof http.ServerResponse };
  if (certFile && keyFile) {
    const material = loadTlsFiles(certFile, keyFile);
    if (Date.parse(material.validTo) < Date.now()) logger.warn({ validTo: material.validTo }, "the TLS certificate has expired; clients will refuse it");
    const options = (m: TlsMaterial): SecureContextOptions => ({ cert: m.cert, key: m.key, minVersion: config.TLS_MIN_VERSION });
    const tlsServer = https.createServer({ ...options(material), ...CLASSES }, handler);
    server = tlsServer;
    logger.info({ subject: material.subject, validTo: material.validTo, minVersion: config.TLS_MIN_VERSION }, "serving HTTPS");
    if (config.TLS_RELOAD_INTERVAL_MS > 0) {
      let last = "";
      const reload = () => {
        try {
          const m = loadTlsFiles(certFile, keyFile);
          const id = `${m.subject}|${m.validTo}|${m.cert.toString("base64").slice(-64)}`;
          tlsServer.setSecureContext(options(m));
          if (id !== last) logger.info({ subject: m.subject, validTo: m.validTo }, "TLS certificate reloaded");
          last = id;
        } catch (e) {
          logger.error({ detail: (e as Error).message }, "TLS certificate reload failed; still serving the previous certificate");
        }
      };
      const opts = { interval: config.TLS_RELOAD_INTERVAL_MS, persistent: false };
      watchFile(certFile, opts, reload);
      watchFile(keyFile, opts, reload);
      close = () => {
        unwatchFile(certFile, reload);
        unwatchFile(keyFile, reload);
      };
    }
  } else {
    server = http.createServer(CLASSES, handler);
  }
  applyTimeouts(server, config); // header and request timeouts, before listening (./timeouts.ts)
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, scheme: certFile ? "https" : "http", close, adopt: classes.adopt };
}
