import { readFile } from "node:fs/promises";
import { InvalidInputError } from "../errors";

/** The name an input file is given by on the command line when it is standard input. */
export const STDIN = "-";

/**
 * The text of an input named on the command line: a file path, or `-` for standard input (read to its end, so
 * `kubectl ... | ocipam plan --input -` and `ocipam plan --input - < file` both work). A file that cannot be read is
 * an InvalidInputError naming the path (paths are not secrets) and the flag, with the system's error code.
 */
export async function readInput(
  flag: string,
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<string> {
  if (path === STDIN) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new InvalidInputError(path, `cannot read ${flag} file (${code})`, { flag }, { cause });
  }
}

/** How an input is named in error messages: the path, or `stdin`. */
export function inputName(path: string): string {
  return path === STDIN ? "stdin" : path;
}
