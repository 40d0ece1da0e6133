/**
 * Simulated time for local runs: it runs `1 / timeScale` times faster than real time, the same factor the OCI
 * emulator applies to its latencies, so "8 s to attach a VNIC" stays 8 simulated seconds whatever the scale.
 */
export class SimClock {
  private readonly startedAt = Date.now();
  constructor(readonly timeScale: number) {
    if (!(timeScale > 0)) throw new Error("timeScale must be > 0");
  }

  /** Simulated milliseconds since the start. */
  nowMs(): number {
    return (Date.now() - this.startedAt) / this.timeScale;
  }

  /** Real milliseconds for a simulated duration. */
  real(simMs: number): number {
    return simMs * this.timeScale;
  }

  sleep(simMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(this.real(simMs), 0)));
  }

  /** Real seconds elapsed. */
  wallSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }
}

/** The seeded PRNG lives in seeded-random.ts; re-exported for the importers that still name this file. */
export { seededRandom } from "./seeded-random";
