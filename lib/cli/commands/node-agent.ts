import type { Command } from "commander";
import { createLogger } from "../../log";
import { globalFlags, logLevelFor } from "../global-flags";
import { parseNodeAgentFlags, type NodeAgentFlags } from "../../node-agent/config";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `ocipam node-agent`: keeps policy routing for the node's secondary-VNIC pool IPs (see lib/node-agent/README.md).
 * Runs as a DaemonSet with host networking; `--once` does a single pass and prints its report.
 */
export function register(program: Command): void {
  program
    .command("node-agent")
    .description("keep policy routing on this node for pool IPs of secondary VNICs (runs as a DaemonSet)")
    .option("--node-name <name>", "this node's name (default: $NODE_NAME)")
    .option("--imds-url <url>", "IMDS v2 VNIC list URL (default: http://169.254.169.254/opc/v2/vnics/)")
    .option("--mtu <bytes>", "MTU for secondary VNIC interfaces (default: 9000, OCI's default)")
    .option("--protocol <number>", "route/rule protocol marking what the agent installed (default: 165)")
    .option(
      "--egress-cidr <cidr>",
      "restrict egress rules to these destinations (repeatable or " +
        "comma-separated; all = every destination; default: from Cilium's " +
        "cilium-config)",
      collect,
    )
    .option(
      "--ip-block-prefix <n>",
      "the allocator's IP CIDR block prefix length: one rule per block " +
        "(default: $OCIPAM_IP_BLOCK_PREFIX_LENGTH, else 32)",
    )
    .option("--resync-seconds <n>", "full pass period (default: 60)")
    .option("--retry-seconds <n>", "sooner pass while a VNIC is not visible yet or a command failed (default: 5)")
    .option("--health-address <host:port|off>", "probe endpoints /healthz and /readyz (default: 127.0.0.1:9886)")
    .option("--kubeconfig <file>", "kubeconfig file (default: in-cluster service account, else ~/.kube/config)")
    .option("--netns <name>", "run ip commands in this network namespace (testing)")
    .option("--ip-path <path>", "path of the ip binary (default: ip from PATH)")
    .option("--once", "do one pass, print its report as JSON on stdout and exit (exit code 1 if a change failed)")
    .option("--dry-run", "with --once: print the changes without applying them")
    .option("--log-level <level>", "pino log level (logs go to stderr; default info, error with --quiet)")
    .action(async (flags: NodeAgentFlags & { once?: boolean; dryRun?: boolean; logLevel?: string }, cmd: Command) => {
      const settings = parseNodeAgentFlags(flags, process.env);
      const once = flags.once === true || flags.dryRun === true;
      // Log lines go to stderr, as every command's: stdout carries only data (the --once report). In the DaemonSet
      // the container runtime collects both streams.
      const log = createLogger({
        level: logLevelFor(globalFlags(cmd), flags.logLevel, "info"),
        base: { component: "node-agent" },
        destination: process.stderr,
      });
      // Loaded here, not at the top: client-node is heavy and other subcommands do not need it.
      const { runNodeAgent } = require("../../node-agent/run") as typeof import("../../node-agent/run");
      const result = await runNodeAgent(settings, { log, once, dryRun: flags.dryRun === true });
      if ("outcome" in result) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        if (result.failed.length > 0 || (result.outcome !== "applied" && result.outcome !== "unchanged"))
          process.exitCode = 1;
        return;
      }
      await new Promise<void>((resolve) => {
        const shutdown = () => {
          process.off("SIGTERM", shutdown);
          process.off("SIGINT", shutdown);
          result.stop().then(resolve, resolve);
        };
        process.on("SIGTERM", shutdown);
        process.on("SIGINT", shutdown);
      });
    });
}
