import { CommanderError } from "commander";
import { ConfigError, InvalidInputError } from "../errors";

/**
 * The exit codes of every `ocipam` command, so scripts and CI can tell "it ran and said no" from "it was asked
 * wrongly". The same table is printed at the end of `ocipam --help`.
 */
export const EXIT = {
  /** The command did what it was asked: a plan was printed, a node reconciled, every check passed. */
  ok: 0,
  /** It ran, and a check, plan or reconcile failed or was refused (or a runtime error stopped it). */
  failed: 1,
  /** It could not start: unknown command or option, bad flag value, invalid input file or configuration key. */
  usage: 2,
} as const;

export const EXIT_CODES_HELP = [
  "Exit codes:",
  "  0  ok: the command did what it was asked (a plan printed, a node reconciled, every check passed)",
  "  1  failed: a check, plan or reconcile failed or was refused (outcome refused/failed/skipped, state Error,",
  "     a safety property of `ocipam local` failing), or a runtime error (an API unreachable) stopped it",
  "  2  usage: unknown command or option, bad flag value, invalid input file, missing or malformed configuration",
  "",
  "Data (tables, JSON, plans) goes to stdout; logs (JSON lines) and errors go to stderr.",
].join("\n");

/** The exit code for an error that ended a command. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through exitOverride with code 0; everything else commander throws is a usage error.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof InvalidInputError || err instanceof ConfigError) return EXIT.usage;
  return EXIT.failed;
}
