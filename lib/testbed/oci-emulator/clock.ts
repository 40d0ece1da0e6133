/**
 * The emulator's scaled clock. Every modelled duration (response latency, ATTACHING → ATTACHED, work request
 * completion, retry-token lifetime, throttle refill) is expressed in "OCI milliseconds" and multiplied by `timeScale`
 * before it becomes a real timer, so `timeScale: 0.01` runs the whole world a hundred times faster.
 * All timers are tracked so `close()` leaves no handle behind.
 */
export class ScaledClock {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  constructor(readonly timeScale: number) {
    if (!(timeScale >= 0) || !Number.isFinite(timeScale))
      throw new Error(`timeScale must be a finite number >= 0, got ${timeScale}`);
  }

  /** Real milliseconds for a modelled duration. */
  real(ociMs: number): number {
    return Math.max(0, ociMs * this.timeScale);
  }

  /** Current real time (timestamps in responses are real wall-clock times). */
  now(): number {
    return Date.now();
  }

  /** Runs `fn` after a modelled delay; a no-op once closed. */
  schedule(ociMs: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, this.real(ociMs));
    this.timers.add(t);
  }

  /** Waits a modelled delay (resolves early when the clock is closed, so in-flight requests can finish). */
  sleep(ociMs: number): Promise<void> {
    if (this.closed || ociMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.sleepers.delete(done);
        this.timers.delete(t);
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(done, this.real(ociMs));
      this.timers.add(t);
      this.sleepers.add(done);
    });
  }

  /** Cancels every pending timer and wakes every sleeper. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const wake of [...this.sleepers]) wake();
  }
}
