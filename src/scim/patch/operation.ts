/**
 * A PATCH operation after parsing (./parse-request.ts): op name folded, path resolved against the
 * schema, value normalised and type-checked. Path-less add/replace never reaches here: each key of
 * its value became an operation with a path.
 */
import type { AttrPath, PatchPath } from "./path";

export type PatchOperation =
  /** Add or replace `value` at `path` (RFC 7644 §3.5.2.1, §3.5.2.3). Values are already checked. */
  | {
    op: "add" | "replace"; path: AttrPath; value: unknown;
    /** A replace of a complex attribute that replaces it whole (strict profile) instead of merging. */
    whole?: true;
  }
  /**
   * Remove `path` (RFC 7644 §3.5.2.2). `values`, for a multi-valued attribute without a filter, names
   * the elements to remove (Entra's `{"op":"Remove","path":"members","value":[{"value":"u1"}]}`).
   */
  | { op: "remove"; path: PatchPath; values?: unknown[] }
  /**
   * Okta echoes the resource's own `id` in a path-less replace: nothing to do when it equals the
   * resource's id, a mutability error otherwise.
   */
  | { op: "checkId"; value: unknown };
