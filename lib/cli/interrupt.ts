/** Exit codes for a signal, as shells report them: 128 + the signal number (SIGINT 2, SIGTERM 15). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * For commands that own running resources (`ocipam local`: emulators, function processes, a watcher): on the first
 * SIGINT or SIGTERM, `stop` runs (bounded by `timeoutMs`), then the process exits with 130 or 143 through
 * process.exit, so the 'exit' handlers (temp-scope.ts) remove temporary files. A second signal exits at once.
 * Returns a function that removes the handlers (when the command ends by itself).
 */
export function stopOnSignal(stop: () => Promise<void>, timeoutMs = 10_000): () => void {
  let stopping = false;
  const handler = (signal: keyof typeof SIGNAL_EXIT): void => {
    const code = SIGNAL_EXIT[signal];
    if (stopping) process.exit(code);
    stopping = true;
    process.stderr.write(`ocipam: ${signal}: stopping (again to exit at once)\n`);
    const timer = setTimeout(() => process.exit(code), timeoutMs);
    timer.unref();
    stop().then(
      () => process.exit(code),
      () => process.exit(code),
    );
  };
  const onInt = (): void => handler("SIGINT");
  const onTerm = (): void => handler("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return () => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  };
}
