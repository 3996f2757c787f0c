/**
 * A request the server holds for as long as the test wants, with no timing involved (the overload
 * and shedding rules count what the server holds: src/http/overload.ts).
 */
import { holdRaw, type Held } from "./hold";

/**
 * Holds one request in the server: a POST /Users/.search (a read: never shed) whose body is
 * announced and not sent, so it waits in the body parser. Resolves once the server has taken it;
 * `release` drops it.
 */
export function holdRequest(scim: string, token: string): Promise<Held> {
  return holdRaw(scim, "POST", `${new URL(scim).pathname}/Users/.search`, { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" });
}
