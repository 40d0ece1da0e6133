import type { Command } from "commander";
import { composeAllocatorRuntime } from "../../../functions/allocator/compose";
import { readConfigFile } from "../../config/config-file";
import { pickOcipamKeys } from "../../config/allocator-config";
import { createLogger } from "../../log";
import { explainPlan } from "../../plan/explain";
import { reconcileNode } from "../../reconcile/reconcile-node";

interface ReconcileFlags {
  dryRun?: boolean;
  config?: string;
  kubeconfig?: string;
  ociConfig?: string;
  ociProfile?: string;
  ociEndpoint?: string;
  json?: boolean;
}

/**
 * `ocipam reconcile <node>`: the allocator's use case from a terminal, with the function's configuration keys taken
 * from the environment, then `--config FILE`, then the flags (each overriding the one before). Prints every round's
 * plan with its reasons and the result; `--dry-run` plans without touching OCI or Kubernetes.
 */
export function register(program: Command): void {
  program
    .command("reconcile")
    .description("reconcile one node now, as the allocator function would (same configuration keys)")
    .argument("<node>", "CiliumNode / Node name")
    .option("--dry-run", "observe and plan only: no OCI mutation, no Kubernetes write")
    .option("--config <file>", "KEY=value lines with OCIPAM_* configuration keys (override the environment)")
    .option("--kubeconfig <path>", "reach Kubernetes with this kubeconfig (sets OCIPAM_KUBE_AUTH=kubeconfig)")
    .option("--oci-config <path>", "OCI config file (sets OCIPAM_OCI_AUTH=config_file)")
    .option("--oci-profile <name>", "profile in the OCI config file")
    .option("--oci-endpoint <url>", "OCI API base URL (an emulator or a private endpoint)")
    .option("--json", "print only the result as JSON")
    .action(async (node: string, flags: ReconcileFlags) => {
      const values: Record<string, string | undefined> = { ...pickOcipamKeys(process.env), ...(flags.config ? readConfigFile(flags.config) : {}) };
      if (flags.kubeconfig) Object.assign(values, { OCIPAM_KUBE_AUTH: "kubeconfig", OCIPAM_KUBECONFIG: flags.kubeconfig });
      if (flags.ociConfig) Object.assign(values, { OCIPAM_OCI_AUTH: "config_file", OCIPAM_OCI_CONFIG_FILE: flags.ociConfig });
      if (flags.ociProfile) values.OCIPAM_OCI_PROFILE = flags.ociProfile;
      if (flags.ociEndpoint) values.OCIPAM_OCI_ENDPOINT = flags.ociEndpoint;
      const log = createLogger({ level: values.OCIPAM_LOG_LEVEL ?? "warn", destination: process.stderr, base: { component: "ocipam-reconcile" } });
      const runtime = await composeAllocatorRuntime(values, { log });
      const deadline = new Date(Date.now() + runtime.deps.config.defaultTimeoutSeconds * 1000);
      const result = await reconcileNode(node, runtime.deps, {
        deadline,
        ...(flags.dryRun ? { dryRun: true } : {}),
        onPlan: (plan) => {
          if (!flags.json) process.stdout.write(`${explainPlan(plan)}\n\n`);
        },
      });
      process.stdout.write(`${JSON.stringify(result, null, flags.json ? 0 : 2)}\n`);
      if (result.outcome === "failed") process.exitCode = 1;
    });
}
