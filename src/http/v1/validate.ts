/** zod at the /v1 boundary: a failed parse becomes one clear invalidValue error naming each field. */
import type { z } from "zod";
import { Errors } from "../../domain/errors";

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, where: "body" | "query"): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join(".") : where}: ${i.message}`);
  throw Errors.invalidBody(`The request ${where} is invalid: ${problems.join("; ")}.`);
}
