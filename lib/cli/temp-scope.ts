import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * One temporary directory per command run, removed when the process exits — normally, through process.exit, or
 * after Ctrl-C (see interrupt.ts, which exits through process.exit so that the 'exit' handlers run).
 *
 * It works by pointing TMPDIR at the new directory: Node's os.tmpdir() reads TMPDIR on every call (POSIX, see
 * https://nodejs.org/api/os.html#ostmpdir), so everything the run creates with mkdtemp(tmpdir()) — the allocator
 * bundle, function sockets, emulator keys and OCI config files — lands inside it without each of those modules
 * knowing about the command line. Child processes that inherit the environment share it, and are stopped before
 * the directory goes.
 */
export interface TempScope {
  /** The directory (absolute), under the TMPDIR the process started with. */
  readonly dir: string;
  /** Removes the directory and restores TMPDIR; also runs on process exit. Safe to call twice. */
  cleanup(): void;
}

let active: TempScope | undefined;

/** Starts the scope for this process (once; later calls return the same scope). */
export function scopeTempFiles(prefix = "ocipam-run-"): TempScope {
  if (active) return active;
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.env.TMPDIR = dir;
  let done = false;
  const cleanup = (): void => {
    if (done) return;
    done = true;
    process.off("exit", cleanup);
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
    active = undefined;
  };
  process.on("exit", cleanup);
  active = { dir, cleanup };
  return active;
}
