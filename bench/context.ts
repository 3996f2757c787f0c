/** What the load generator needs to know about a data set: token, and samples of its users and groups. */
export interface UserSample {
  id: string;
  /** What the user's body was made from (fixtures.ts userBody(key, n)). */
  key: string;
  n: number;
  userName: string;
  externalId: string;
  email: string;
}

export interface BenchContext {
  /** Users in the data set when it was built. */
  users: number;
  token: string;
  /** Users spread evenly over the set, for lookups. */
  lookups: UserSample[];
  /** Other users, for PUT and PATCH (so writers do not contend for one record). */
  writes: UserSample[];
  /** Groups of 10 members: names for the displayName filter, ids for the Entra cycle. */
  groupNames: string[];
  groupIds: string[];
  /** The 100,000-member (all users) group, the 10-member group, and an empty group for 100-member PATCHes. */
  bigGroupId: string;
  smallGroupId: string;
  batchGroupId: string;
  smallMembers: string[];
  bigMembers: string[];
  /** Disjoint blocks of 100 user ids. */
  batchBlocks: string[][];
  /** Insertion sequence numbers deep in the set (startIndex pages). */
  deepSeqs: number[];
  /** SCIM cursors continuing after those seqs, sealed as the server seals its own (src/domain/page-tokens.ts). */
  deepCursors: string[];
}
