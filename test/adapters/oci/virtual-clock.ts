/**
 * Virtual time for the retry and budget tests: `sleep` and `setTimer` register timers on a virtual timeline, and
 * `run` advances the timeline to the earliest timer whenever nothing else can make progress. Tests therefore take
 * no wall-clock time and are deterministic.
 */
interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 1_000_000) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, fire: resolve });
    });

  readonly setTimer = (fn: () => void, ms: number): (() => void) => {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fire: fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  };

  /** Runs until `work` settles, jumping virtual time forward when only timers are left. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let guard = 0; guard < 100_000; guard++) {
      await flush();
      if (settled) return work;
      if (this.timers.length === 0) throw new Error("virtual clock: the work waits for something that is not a timer");
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
    throw new Error("virtual clock: too many steps");
  }
}
