/** All repositories of the MongoDB store over one context (plain, or bound to a transaction). */
import type { Repos } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { mongoAccounts } from "./accounts";
import { mongoEvents } from "./events";
import { mongoGroups } from "./groups";
import { mongoAudit, mongoDomains, mongoInvitations } from "./misc";
import { mongoOrgs, mongoTokens } from "./orgs";
import { mongoOutbox } from "./outbox";
import { mongoProvisioningErrors } from "./provisioning-errors";
import { mongoUsers } from "./users";

export const reposOf = (c: MongoCtx): Repos => ({
  orgs: mongoOrgs(c),
  tokens: mongoTokens(c),
  users: mongoUsers(c),
  groups: mongoGroups(c),
  accounts: mongoAccounts(c),
  domains: mongoDomains(c),
  invitations: mongoInvitations(c),
  outbox: mongoOutbox(c),
  audit: mongoAudit(c),
  events: mongoEvents(c),
  provisioningErrors: mongoProvisioningErrors(c),
});
