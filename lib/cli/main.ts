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
];

export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
  const program = new Command("ocipam")
    .description("Native OCI VCN addresses for Cilium pods (ipam: crd): allocator, watcher, emulators and tools")
    .version(pkg.version)
    .showHelpAfterError();
  for (const register of registrations) register(program);
  return program;
}

if (require.main === module || process.argv[1]?.endsWith("ocipam.cjs")) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`ocipam: ${message}\n`);
      process.exitCode = 1;
    });
}
