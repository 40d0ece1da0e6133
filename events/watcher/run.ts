import { loadWatcherConfig, type LoadWatcherConfigOptions } from "./config";
import { startWatcher, type WatcherOverrides } from "./watcher";

/**
 * Runs the watcher from `OCIPAM_WATCHER_*` values until SIGTERM or SIGINT, then stops it (a leader releases its
 * Lease first, so the other replica takes over at once). Shared by `ocipam watch` and the container entry point.
 * `overrides` reach startWatcher (`ocipam watch` passes its stderr logger).
 */
export async function runWatcher(
  values: Record<string, string>,
  options: LoadWatcherConfigOptions,
  overrides: WatcherOverrides = {},
): Promise<void> {
  const watcher = await startWatcher(loadWatcherConfig(values, options), overrides);
  await new Promise<void>((resolve) => {
    const shutdown = () => {
      process.off("SIGTERM", shutdown);
      process.off("SIGINT", shutdown);
      watcher.stop().then(resolve, resolve);
    };
    process.on("SIGTERM", shutdown);
    process.on("SIGINT", shutdown);
  });
}
