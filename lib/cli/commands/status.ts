import type { Command } from "commander";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../errors";
import { nodeStatusRows, renderStatusTable } from "../../status/node-status";

/**
 * `ocipam status`: every node's IPAM state as the Kubernetes API holds it (CiliumNodes, Nodes, the project's
 * OciIpamNode records), as a table or JSON. Read-only; needs get/list on those three kinds.
 */
export function register(program: Command): void {
  program
    .command("status")
    .description("show every node's instance, shape, VNICs, pool, used, needed and state from the Kubernetes API")
    .option("--kubeconfig <path>", "kubeconfig to use", process.env.KUBECONFIG ?? join(homedir(), ".kube", "config"))
    .option("--context <name>", "kubeconfig context instead of the current one")
    .option("--json", "print the rows as JSON")
    .action(async (flags: { kubeconfig: string; context?: string; json?: boolean }) => {
      if (!existsSync(flags.kubeconfig))
        throw new ConfigError("--kubeconfig", `no file at ${flags.kubeconfig} (set --kubeconfig or KUBECONFIG)`);
      // Loaded here, not at the top: client-node takes a while to load and other subcommands do not need it.
      const { createKubeClients } = require("../../adapters/kube") as typeof import("../../adapters/kube");
      const { readStatusInputs } =
        require("../../adapters/kube/status-source") as typeof import("../../adapters/kube/status-source");
      const clients = createKubeClients({
        kind: "kubeconfig",
        path: flags.kubeconfig,
        ...(flags.context ? { context: flags.context } : {}),
      });
      const { ciliumNodes, nodes, records } = await readStatusInputs(clients);
      const rows = nodeStatusRows(ciliumNodes, nodes, records);
      process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderStatusTable(rows)}\n`);
    });
}
