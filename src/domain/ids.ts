/** Identifiers in Twilio's shape: two letters and 32 hex digits, random. */
import { randomBytes } from "node:crypto";

export type IdPrefix = "OR" | "US" | "GP" | "TK" | "DM" | "IV" | "AE" | "AC" | "IY";

export const newId = (prefix: IdPrefix): string => prefix + randomBytes(16).toString("hex");
