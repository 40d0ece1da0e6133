import { Command } from "commander";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as localCommand from "./commands/local";
import * as planCommand from "./commands/plan";
import * as reconcileCommand from "./commands/reconcile";
import * as statusCommand from "./commands/status";
import * as nodeAgentCommand from "./commands/node-agent";
import * as emulateOciCommand from "./commands/emulate-oci";
import * as emulateKubeCommand from "./commands/emulate-kube";
import * as watchCommand from "./commands/watch";
import * as uninstallCommand from "./commands/uninstall";
import { EXIT_CODES_HELP, exitCodeFor } from "./exit-codes";
import { redactSecrets } from "./redact";

/**
 * The `ocipam` command line. Each subcommand lives in its own file under ./commands and exports a
 * `register(program)` function; this file only assembles them, so nothing runs at import time of a command module.
 */
const registrations: Array<(program: Command) => void> = [
  // one line per subcommand module
  localCommand.register,
  planCommand.register,
  reconcileCommand.register,
  statusCommand.register,
  nodeAgentCommand.register,
  emulateOciCommand.register,
  emulateKubeCommand.register,
  watchCommand.register,
  uninstallCommand.register,
];

/**
 * The program with every subcommand. Usage errors throw (exitOverride) instead of exiting, so `main` maps them to
 * exit code 2 and tests can parse in process; subcommands inherit that setting because they are added after it.
 */
export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
  const program = new Command("ocipam")
    .description("Native OCI VCN addresses for Cilium pods (ipam: crd): allocator, watcher, emulators and tools")
    .version(pkg.version)
    .option("-q, --quiet", "print only the result: no progress, explanations or notes; logs at error level only")
    .exitOverride()
    .showHelpAfterError("(run `ocipam --help` for usage)")
    .addHelpText("after", `\n${EXIT_CODES_HELP}`);
  for (const register of registrations) register(program);
  return program;
}

/**
 * Runs the command line and resolves to its exit code (also set as process.exitCode). Called by the bin script
 * (ocipam.cjs), whatever path it was started through — a node_modules/.bin symlink, npx, a global install — and by
 * `tsx lib/cli/main.ts` (npm run ocipam / npm start).
 */
export async function main(argv: string[] = process.argv): Promise<number> {
  // `ocipam status | head` closes the pipe early: that is the reader's choice, not a failure worth a stack trace.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
    throw err;
  });
  let code: number;
  try {
    await buildProgram().parseAsync(argv);
    code = Number(process.exitCode ?? 0);
  } catch (err) {
    code = exitCodeFor(err);
    // Commander has already printed its own usage errors (and --help / --version output).
    if (!(err instanceof Error && err.name === "CommanderError")) {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`ocipam: ${redactSecrets(message)}\n`);
    }
  }
  process.exitCode = code;
  return code;
}

// Started directly (tsx lib/cli/main.ts). Through the bin script require.main is ocipam.cjs, which calls main().
if (require.main === module) void main();
