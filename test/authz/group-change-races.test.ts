/**
 * What the policy allowed for a group change is what is applied, even when what the group grants
 * changes at the same moment (src/domain/groups.ts modifyGroup: the group is read once, in the
 * transaction the policy is asked in). An identity provider's token may add members to a group
 * that grants nothing, but may not grant Administrator; the operator binds the same group to
 * Administrator while the add is in flight. Whatever order the server takes them in, the add is
 * either applied before the binding (and its member is made Administrator by the operator's
 * binding), or refused after it: never applied on a group that already granted Administrator.
 */
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, type TestServer } from "../helpers/server";
import { people, unique } from "./people";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const GROUP_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";
let s: TestServer;
beforeAll(async () => { s = await startTestServer(); }, 60_000);
afterAll(() => s.close());

const versionOf = (etag: string | null): number => Number(/^W\/"(\d+)"$/.exec(etag ?? "")?.[1] ?? NaN);

it("applies a member add racing a binding to Administrator only before the binding, else refuses it", async () => {
  const p = await people(s);
  const idp = await p.serviceToken(["scim"]);
  const outcomes = { addedFirst: 0, refusedAfter: 0 };
  for (let round = 0; round < 12; round++) {
    const member = await p.mkUser("racer");
    const g = await call("POST", `${s.scim}/Groups`, p.operator, { schemas: [GROUP], displayName: unique("Race") });
    expect(g.status).toBe(201);
    const groupUrl = `${s.scim}/Groups/${g.body.id}`;
    const add = () => call("PATCH", groupUrl, idp, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: member }] }] });
    const bind = () => call("PATCH", groupUrl, p.operator, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: `${GROUP_EXT}:orgRole`, value: "administrator" }] });
    const [a, b] = round % 2 === 0 ? await Promise.all([add(), bind()]) : await Promise.all([bind(), add()]).then(([x, y]) => [y, x] as const);
    expect({ round, bind: b.status, text: b.status === 204 ? "" : b.text }).toEqual({ round, bind: 204, text: "" });
    const role = (await p.user(member)).body[ORG_EXT].orgRole as string;
    const members = ((await call("GET", groupUrl, p.operator)).body.members ?? []) as { value: string }[];
    if (a.status === 204) {
      outcomes.addedFirst++;
      // Applied, so applied while the group granted nothing: its version comes before the binding's.
      expect({ round, add: versionOf(a.headers.get("etag")), bind: versionOf(b.headers.get("etag")) }).toEqual({ round, add: 2, bind: 3 });
      expect({ round, role, members: members.map((m) => m.value) }).toEqual({ round, role: "administrator", members: [member] });
    } else {
      outcomes.refusedAfter++;
      expect({ round, add: a.status, bind: versionOf(b.headers.get("etag")) }).toEqual({ round, add: 403, bind: 2 });
      expect({ round, role, members }).toEqual({ round, role: "standard", members: [] });
    }
  }
  expect(outcomes.addedFirst + outcomes.refusedAfter).toBe(12);
}, 120_000);
