import { percentile } from "../../lib/testbed/local/report";

/** p50, p95 and max of a sample (nearest rank, as `ocipam local` reports); nulls for an empty sample. */
export interface Summary {
  n: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    p50: percentile([...values], 50),
    p95: percentile([...values], 95),
    max: values.length ? Math.max(...values) : null,
  };
}

/** a ÷ b, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

export function median(values: readonly number[]): number | null {
  return percentile([...values], 50);
}
