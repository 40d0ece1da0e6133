import type { Command } from "commander";
import type { NodeResult } from "../../reconcile/result";
import { explainPlan } from "../../plan/explain";
import { type AllocatorFlags, allocatorOptions, composeFromFlags } from "../allocator-options";
import { EXIT } from "../exit-codes";
import { globalFlags } from "../global-flags";
import { redactSecrets } from "../redact";

interface ReconcileFlags extends AllocatorFlags {
  dryRun?: boolean;
  json?: boolean;
}

/**
 * Whether a reconcile's result is a success for the exit code: the node was reconciled (or planned, with
 * --dry-run) and is not in Error. Refused (the node does not qualify), skipped (another invocation holds its Lease)
 * and failed are not: a script that asked for the node to be reconciled must not read "done". AtCapacity is a state
 * of the node, not a failure of the reconcile.
 */
export function reconcileSucceeded(result: NodeResult): boolean {
  return (result.outcome === "reconciled" || result.outcome === "planned") && result.state !== "Error";
}

/**
 * `ocipam reconcile <node>`: the allocator's use case from a terminal, with the function's configuration keys taken
 * from the environment, then `--config FILE`, then the flags (each overriding the one before). Prints every round's
 * plan with its reasons and the result; `--dry-run` plans without touching OCI or Kubernetes. Exit code 1 when the
 * reconcile did not succeed (see reconcileSucceeded).
 */
export function register(program: Command): void {
  const command = program
    .command("reconcile")
    .description("reconcile one node now, as the allocator function would (same configuration keys)")
    .argument("<node>", "CiliumNode / Node name")
    .option("--dry-run", "observe and plan only: no OCI mutation, no Kubernetes write");
  allocatorOptions(command)
    .option("--json", "print only the result as JSON (one line)")
    .action(async (node: string, flags: ReconcileFlags, cmd: Command) => {
      const global = globalFlags(cmd);
      const { reconcileNode } =
        require("../../reconcile/reconcile-node") as typeof import("../../reconcile/reconcile-node");
      const runtime = await composeFromFlags(flags, global, "ocipam-reconcile");
      const deadline = new Date(Date.now() + runtime.deps.config.defaultTimeoutSeconds * 1000);
      const explain = !flags.json && !global.quiet;
      const result = await reconcileNode(node, runtime.deps, {
        deadline,
        ...(flags.dryRun ? { dryRun: true } : {}),
        onPlan: (plan) => {
          if (explain) process.stdout.write(`${explainPlan(plan)}\n\n`);
        },
      });
      process.stdout.write(`${JSON.stringify(result, null, flags.json ? 0 : 2)}\n`);
      if (!reconcileSucceeded(result)) {
        const { code, message } = result.reason;
        if (!flags.json) {
          process.stderr.write(`ocipam: reconcile ${result.outcome}: ${code}: ${redactSecrets(message)}\n`);
        }
        process.exitCode = EXIT.failed;
      }
    });
}
