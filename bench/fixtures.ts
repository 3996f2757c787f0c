/**
 * What the benchmark's users and groups look like: SCIM bodies shaped like what Entra ID and Okta
 * push (core + enterprise extension, a work email distinct from userName). Shared by the data-set
 * builder and the load generator, so POSTed users look like the stored ones.
 */
export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Leslie"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Lamport"];
const DEPARTMENTS = ["Engineering", "Sales", "Finance", "Support", "Marketing"];

export const userNameOf = (key: string): string => `${key}@bench.example.com`;
export const externalIdOf = (key: string): string => `ext-${key}`;
export const workEmailOf = (key: string): string => `${key}.work@mail.bench.example.com`;
export const groupNameOf = (i: number): string => `bench-group-${String(i).padStart(4, "0")}`;

/** A user body of about 1.2 KB (1.5 KB rendered with id, groups and meta). `key` makes it unique. */
export function userBody(key: string, n: number): Record<string, unknown> {
  const given = FIRST[n % FIRST.length] as string;
  const family = LAST[Math.floor(n / FIRST.length) % LAST.length] as string;
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    userName: userNameOf(key),
    externalId: externalIdOf(key),
    name: { givenName: given, familyName: family, formatted: `${given} ${family}` },
    displayName: `${given} ${family} ${n}`,
    title: "Senior Engineer",
    preferredLanguage: "en-US",
    locale: "en-US",
    timezone: "Europe/Paris",
    active: true,
    emails: [
      { value: workEmailOf(key), type: "work", primary: true },
      { value: `${key}@home.bench.example.org`, type: "home" },
    ],
    phoneNumbers: [{ value: `+1 555 ${String(n % 10000).padStart(4, "0")}`, type: "work" }],
    addresses: [{
      type: "work", streetAddress: `${n % 999} Main Street`, locality: "Springfield", region: "IL",
      postalCode: "62701", country: "US", primary: true,
    }],
    [ENTERPRISE_SCHEMA]: {
      employeeNumber: String(100000 + n),
      costCenter: `CC-${n % 50}`,
      organization: "Bench Corp",
      division: "Product",
      department: DEPARTMENTS[n % DEPARTMENTS.length],
    },
  };
}

export function groupBody(displayName: string, i: number): Record<string, unknown> {
  return { schemas: [GROUP_SCHEMA], displayName, externalId: `grp-ext-${i}` };
}
