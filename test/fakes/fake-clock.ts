/**
 * Time for the in-memory fakes and the use cases under test: it moves only when someone sleeps or a test advances it,
 * so a scenario that waits 30 simulated seconds for an attachment runs in microseconds and always the same way.
 */
export class FakeClock {
  private ms: number;

  constructor(start = "2026-11-28T00:00:00Z") {
    this.ms = Date.parse(start);
  }

  /** The current fake moment (what `ReconcileDeps.now` returns). */
  now(): Date {
    return new Date(this.ms);
  }

  nowMs(): number {
    return this.ms;
  }

  /** Moves time forward; what waits on the clock (an attachment, a Lease's expiry) sees it at its next read. */
  advance(ms: number): void {
    if (ms < 0) throw new Error(`the fake clock never goes back (asked for ${ms} ms)`);
    this.ms += ms;
  }

  /** `ReconcileDeps.sleep`: advances the clock by `ms` at once, and yields so other promises run in between. */
  sleep = async (ms: number): Promise<void> => {
    this.advance(Math.max(ms, 0));
    await Promise.resolve();
  };
}
