/** The authorization policy: the table (./table.ts), decide (./decide.ts), authorize (./authorize.ts). */
export { afterPolicy, authorize, grantorMay, grantorOf, Refusal, type AfterPolicy, type AuthzDeps, type Check } from "./authorize";
export { decide, ruleOf, subjectsOf, targetKind, type Decision } from "./decide";
export { LEGACY_CEILING, principalOf, resolveTokenPrincipal, type OperatorPrincipal, type Principal, type TokenPrincipal } from "./principal";
export { POLICY, PUBLIC_DOORS, RULES, type ActionRule, type StateRule } from "./table";
export {
  accountTarget, groupTarget, invitationTarget, orgTarget, refOf, tokenTarget, userRef, userTarget, type Target,
} from "./targets";
