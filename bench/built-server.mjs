// What the small benchmark scripts (durability.mjs, events.mjs) share: the built server started as
// its own process on port 0 (its URL read from its "orgscim listening" line) on the store `env`
// names, with the organization's domain enforcement turned off through the CLI; and the load they
// put on it, POST /scim/v2/Users with unique userNames (autocannon).
import autocannon from "autocannon";
import { execFileSync, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Starts `main` with `env` (PORT 0, the bootstrap token, the store...); answers its URL and stop(). */
export async function startServer(env, main = join(ROOT, "dist", "main.js")) {
  const child = spawn(process.execPath, [main], { env: { ...env, LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const read = (d) => (out += d);
  child.stdout.on("data", read);
  let url;
  while (!(url = /"url":"(http:[^"]+)"/.exec(out)?.[1])) {
    if (child.exitCode !== null) throw new Error(`${main} exited (${child.exitCode}) before it listened`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.stdout.off("data", read);
  child.stdout.resume(); // the request log keeps flowing (a full pipe would stall the server), unread
  const cli = (args) => execFileSync(process.execPath, [join(ROOT, "bin", "orgscim.js"), ...args], { env, encoding: "utf8" });
  const orgId = JSON.parse(cli(["orgs", "list"]))[0].sid;
  cli(["orgs", "settings", orgId, "--domain-enforcement", "off"]);
  return { url, stop: () => new Promise((r) => { child.on("exit", r); child.kill("SIGTERM"); }) };
}

/** POST /scim/v2/Users for `seconds` at `connections`, as `token`: autocannon's result. */
export function createUsers(url, token, connections, seconds) {
  return autocannon({
    url: `${url}/scim/v2/Users`, connections, duration: seconds, method: "POST", idReplacement: true,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bench-[<id>]@example.com", name: { givenName: "Bench", familyName: "User" } }),
  });
}
