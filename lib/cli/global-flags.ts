import type { Command } from "commander";

/** Options of the `ocipam` program itself, valid before or after any subcommand. */
export interface GlobalFlags {
  /** `-q, --quiet`: only the result is printed; progress, explanations and notes are not; logs at error level. */
  quiet: boolean;
}

/** The global options as a subcommand's action sees them (commander passes the command as the last argument). */
export function globalFlags(command: Command): GlobalFlags {
  return { quiet: command.optsWithGlobals<{ quiet?: boolean }>().quiet === true };
}

/** The log level for a command: what the user asked for, else `error` when quiet, else the command's default. */
export function logLevelFor(flags: GlobalFlags, explicit: string | undefined, fallback: string): string {
  return explicit ?? (flags.quiet ? "error" : fallback);
}
