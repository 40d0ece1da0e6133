import type { Command } from "commander";
import { type AllocatorFlags, allocatorOptions, composeFromFlags } from "../allocator-options";
import { EXIT } from "../exit-codes";
import { globalFlags } from "../global-flags";
import { redactSecrets } from "../redact";

interface UninstallFlags extends AllocatorFlags {
  yes?: boolean;
  json?: boolean;
}

/**
 * `ocipam uninstall [--yes]`: gives back every IP and VNIC the allocator created for the cluster (lib/collect/
 * uninstall.ts), with the allocator's configuration keys (environment, `--config`, flags). Without `--yes` it only
 * lists
 * what it would delete. Refuses, deleting nothing, while any Cilium agent still reports used addresses. Exit 0 when
 * everything found was deleted (or listed), 1 when refused or a deletion failed.
 */
export function register(program: Command): void {
  const command = program
    .command("uninstall")
    .description(
      "give back every allocator-owned IP and VNIC of the cluster once Cilium is gone (lists only, without --yes)",
    )
    .option("--yes", "delete for real (without it: list what would be deleted)");
  allocatorOptions(command)
    .option("--json", "print only the report as JSON (one line)")
    .action(async (flags: UninstallFlags, cmd: Command) => {
      const global = globalFlags(cmd);
      const { uninstallCluster } = require("../../collect/uninstall") as typeof import("../../collect/uninstall");
      const runtime = await composeFromFlags(flags, global, "ocipam-uninstall");
      const deadline = new Date(Date.now() + runtime.deps.config.defaultTimeoutSeconds * 1000);
      const report = await uninstallCluster(runtime.deps, { deadline, dryRun: !flags.yes });
      if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        for (const o of report.outcome === "planned" ? report.found : report.deleted) {
          process.stdout.write(
            `${report.outcome === "planned" ? "would delete" : "deleted"} ` +
              `${o.kind} ${o.id}${o.ipAddress ? ` (${o.ipAddress})` : ""}\n`,
          );
        }
        for (const f of report.failed)
          process.stdout.write(`failed ${f.kind} ${f.id}: ${f.reason}: ${redactSecrets(f.message)}\n`);
        if (!global.quiet)
          process.stderr.write(
            `ocipam: uninstall ${report.outcome}: ${report.reason.code}: ${redactSecrets(report.reason.message)}\n`,
          );
      }
      if (report.outcome === "refused" || report.outcome === "failed") process.exitCode = EXIT.failed;
    });
}
