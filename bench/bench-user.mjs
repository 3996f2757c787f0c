// The bench's user body (bench/fixtures.ts userBody, the same attributes and values) for the plain
// JavaScript tools that cannot import TypeScript: bench/request-cpu.mjs --shape bench, bench/page-parts.mjs.
export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Leslie"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Lamport"];
const DEPARTMENTS = ["Engineering", "Sales", "Finance", "Support", "Marketing"];

/** The bench's user `n`; its key (userName, externalId, emails) is `prefix` and n in 7 digits: "u" for the data set, "cli" for the import command's file (bench/cli-import.ts). */
export function benchUser(n, prefix = "u") {
  const key = `${prefix}${String(n).padStart(7, "0")}`;
  const given = FIRST[n % FIRST.length];
  const family = LAST[Math.floor(n / FIRST.length) % LAST.length];
  return {
    schemas: [USER_SCHEMA, ENTERPRISE], userName: `${key}@bench.example.com`, externalId: `ext-${key}`,
    name: { givenName: given, familyName: family, formatted: `${given} ${family}` }, displayName: `${given} ${family} ${n}`,
    title: "Senior Engineer", preferredLanguage: "en-US", locale: "en-US", timezone: "Europe/Paris", active: true,
    emails: [{ value: `${key}.work@mail.bench.example.com`, type: "work", primary: true }, { value: `${key}@home.bench.example.org`, type: "home" }],
    phoneNumbers: [{ value: `+1 555 ${String(n % 10000).padStart(4, "0")}`, type: "work" }],
    addresses: [{ type: "work", streetAddress: `${n % 999} Main Street`, locality: "Springfield", region: "IL", postalCode: "62701", country: "US", primary: true }],
    [ENTERPRISE]: { employeeNumber: String(100000 + n), costCenter: `CC-${n % 50}`, organization: "Bench Corp", division: "Product", department: DEPARTMENTS[n % DEPARTMENTS.length] },
  };
}
