import { Command } from "commander";
import { register } from "../cli/commands/node-agent";

/**
 * Entry point of the node-agent container image: the `node-agent` subcommand alone, so the image bundle
 * (esbuild, see infra/kubernetes/node-agent/Dockerfile) carries neither the allocator nor the emulators.
 */
export function buildNodeAgentProgram(): Command {
  const program = new Command("ocipam").description("cilium-oci-ipam node agent").showHelpAfterError();
  register(program);
  return program;
}

if (require.main === module) {
  buildNodeAgentProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`ocipam: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
