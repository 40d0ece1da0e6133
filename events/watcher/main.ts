import { homedir, hostname } from "node:os";
import { pickWatcherKeys } from "./config";
import { runWatcher } from "./run";

/**
 * Container entry point of the watcher image (infra/kubernetes/watcher/Dockerfile bundles this file): the same as
 * `ocipam watch` without the rest of the CLI. Configuration: OCIPAM_WATCHER_* environment variables.
 */
if (require.main === module) {
  runWatcher(pickWatcherKeys(process.env), { hostname: hostname(), homeDir: homedir() }).catch((err: unknown) => {
    process.stderr.write(`ocipam watcher: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
