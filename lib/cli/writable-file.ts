import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InvalidInputError } from "../errors";

/**
 * Checks, before a long run starts, that the file a flag names can be written at its end: its directory exists, is a
 * directory and is writable; the file itself is not a directory and, if it exists, is writable. Throws
 * InvalidInputError (exit 2) naming the flag and the path. Called by commands that write a result file last
 * (`local --report`), so an hour-long run is not lost to a typo in a path.
 */
export function checkWritableFile(flag: string, file: string): void {
  const path = resolve(file);
  const fail = (what: string, cause?: unknown): never => {
    throw new InvalidInputError(flag, `${file}: ${what}`, { flag }, cause === undefined ? undefined : { cause });
  };
  if (file === "" || file.endsWith("/")) fail("names a directory, not a file");
  const target = statOrUndefined(path);
  if (target?.isDirectory()) fail("is a directory");
  const dir = dirname(path);
  const parent = statOrUndefined(dir);
  if (!parent) fail(`directory ${dir} does not exist`);
  if (!parent!.isDirectory()) fail(`${dir} is not a directory`);
  try {
    accessSync(target ? path : dir, target ? constants.W_OK : constants.W_OK | constants.X_OK);
  } catch (err) {
    fail(target ? "is not writable" : `directory ${dir} is not writable`, err);
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
