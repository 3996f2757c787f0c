/**
 * The store a command works on (DATABASE_URL). A command that only reads never creates one: on a
 * missing store it fails naming where it looked, so a mistyped path or the wrong folder does not
 * silently make an empty store. Commands that write create it, and so does --create.
 */
import { loadConfig } from "../config/config";
import type { Store } from "../domain/ports/store";
import { openStore, StoreMissing } from "../store/open";
import { CliFailure, type Io } from "./io";

export async function openUrl(url: string, options: { create: boolean; what: string; offerCreate?: boolean }): Promise<Store> {
  try {
    return await openStore(url, { mustExist: !options.create });
  } catch (e) {
    if (e instanceof StoreMissing) {
      const create = options.offerCreate === false ? "" : ", or pass --create to make an empty store there";
      throw new CliFailure(`${e.message.replace(/\.$/, "")} (${options.what} is ${url}). This command works on an existing store and does not create one: check ${options.what} and the folder you run it from${create}.`);
    }
    throw e;
  }
}

/** The store of DATABASE_URL: created when the command writes (or with --create), else it must exist. */
export function openCommandStore(io: Io, options: { create: boolean }): Promise<Store> {
  return openUrl(loadConfig(io.env).DATABASE_URL, { create: options.create, what: "DATABASE_URL" });
}
