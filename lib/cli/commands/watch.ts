import type { Command } from "commander";
import { homedir, hostname } from "node:os";
import { createLogger } from "../../log";
import { globalFlags, logLevelFor } from "../global-flags";

interface WatchFlags {
  kubeconfig?: string;
  ociConfig?: string;
  port?: string;
  logLevel?: string;
}

/**
 * `ocipam watch`: the in-cluster watcher (events/watcher/README.md). Configuration comes from the environment
 * (`OCIPAM_WATCHER_*`, the same convention as the function's `OCIPAM_*`); a few flags override it for local runs.
 * Runs until SIGTERM/SIGINT, then steps down (releasing its Lease) and exits. Its log lines go to stderr, as every
 * command's do (the container entry point, events/watcher/main.ts, keeps the watcher's own default).
 */
export function register(program: Command): void {
  program
    .command("watch")
    .description("watch CiliumNodes and publish nudges to the OCI Stream (the in-cluster watcher; OCIPAM_WATCHER_*)")
    .option("--kubeconfig <file>", "this kubeconfig, not the in-cluster account (OCIPAM_WATCHER_KUBE_AUTH=kubeconfig)")
    .option("--oci-config <file>", "this OCI config file, not instance principal (OCIPAM_WATCHER_OCI_AUTH=config_file)")
    .option("--port <n>", "port of /metrics, /healthz, /readyz (OCIPAM_WATCHER_METRICS_PORT)")
    .option("--log-level <level>", "pino log level (OCIPAM_WATCHER_LOG_LEVEL); logs go to stderr")
    .action(async (flags: WatchFlags, cmd: Command) => {
      // Loaded here, not at the top: client-node and the OCI SDK are heavy and other subcommands do not need them.
      const { loadWatcherConfig, pickWatcherKeys } =
        require("../../../events/watcher/config") as typeof import("../../../events/watcher/config");
      const { runWatcher } = require("../../../events/watcher/run") as typeof import("../../../events/watcher/run");
      const values = pickWatcherKeys(process.env);
      if (flags.kubeconfig) {
        Object.assign(values, { OCIPAM_WATCHER_KUBE_AUTH: "kubeconfig", OCIPAM_WATCHER_KUBECONFIG: flags.kubeconfig });
      }
      if (flags.ociConfig) {
        const file = flags.ociConfig;
        Object.assign(values, { OCIPAM_WATCHER_OCI_AUTH: "config_file", OCIPAM_WATCHER_OCI_CONFIG_FILE: file });
      }
      if (flags.port) values.OCIPAM_WATCHER_METRICS_PORT = flags.port;
      if (flags.logLevel) values.OCIPAM_WATCHER_LOG_LEVEL = flags.logLevel;
      const options = { hostname: hostname(), homeDir: homedir() };
      // The logger is chosen here, the command line's composition: the configured level (validated by the
      // watcher's own configuration loader), stderr as the destination.
      const configured = loadWatcherConfig(values, options).logLevel;
      const level = logLevelFor(globalFlags(cmd), flags.logLevel ?? values.OCIPAM_WATCHER_LOG_LEVEL, configured);
      const log = createLogger({ level, destination: process.stderr, base: { component: "watcher" } });
      await runWatcher(values, options, { log });
    });
}
