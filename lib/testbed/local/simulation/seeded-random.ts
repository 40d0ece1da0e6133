/**
 * The one seeded PRNG of the simulations and the tests (the local pipeline's scenarios, chaos runs, fuzzing,
 * benchmarks): mulberry32, 32-bit state, uniform in [0, 1). Small and dependency-free so a fixed seed reproduces the
 * same run everywhere; test/unit/seeded-random.test.ts pins its first outputs so a change cannot go unnoticed.
 */
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
