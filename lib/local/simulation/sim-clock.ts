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

/** A small seeded PRNG (mulberry32) so scenarios and chaos runs are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
