/**
 * The one polling helper of the test tree: every "wait until the emulator / watcher / pipeline shows X" goes through
 * here, so timeouts fail the same way (naming what was awaited) and simulated clocks are waited on like real time.
 */

/** A clock to poll on: real time by default, or a simulation's (lib/testbed/local/simulation/sim-clock.ts SimClock). */
export interface PollClock {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export interface PollOptions {
  /** What is awaited, for the timeout message ("the CiliumNode's pool", "watch event 3"). */
  what?: string;
  /** Give up after this long on `clock` (default 5000 ms). */
  timeoutMs?: number;
  /** Wait between checks (default 10 ms). */
  intervalMs?: number;
  /** Consecutive truthy checks needed (default 1): 2 means "still true one interval later". */
  stableFor?: number;
  clock?: PollClock;
}

/** What a check returns once it holds: its value without the falsy members (false, null, undefined, 0, ""). */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

const REAL_TIME: PollClock = {
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The check never came true within the timeout. */
export class PollTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`);
    this.name = "PollTimeoutError";
  }
}

/**
 * Calls `check` until it returns a truthy value (`stableFor` times in a row) and returns that value; undefined when
 * `timeoutMs` passes first. The check always runs at least once.
 */
export async function poll<T>(check: () => T | Promise<T>, options: PollOptions = {}): Promise<Truthy<T> | undefined> {
  const clock = options.clock ?? REAL_TIME;
  const deadline = clock.nowMs() + (options.timeoutMs ?? 5_000);
  const needed = options.stableFor ?? 1;
  let streak = 0;
  for (;;) {
    const value = await check();
    streak = value ? streak + 1 : 0;
    if (value && streak >= needed) return value as Truthy<T>;
    if (clock.nowMs() > deadline) return undefined;
    await clock.sleep(options.intervalMs ?? 10);
  }
}

/** Like {@link poll}, but a timeout throws PollTimeoutError naming `what`. */
export async function pollUntil<T>(check: () => T | Promise<T>, options: PollOptions = {}): Promise<Truthy<T>> {
  const value = await poll(check, options);
  if (value === undefined) throw new PollTimeoutError(options.what ?? "a condition", options.timeoutMs ?? 5_000);
  return value;
}
