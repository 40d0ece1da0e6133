/**
 * Counters of OCI traffic for the function's result and logs: per operation (OCI's operation names), calls made by
 * the adapters, HTTP attempts, retries, 429s, failed calls and total latency. Plain numbers, JSON-safe.
 */

export interface OperationCounters {
  /** Adapter calls (a paged list counts one call per page). */
  calls: number;
  /** HTTP attempts (calls + retries, plus attempts that never got an answer). */
  attempts: number;
  retries: number;
  /** 429 TooManyRequests answers. */
  throttled: number;
  /** Calls that finally failed. */
  failures: number;
  /** Sum of call latencies (retries and waits included). */
  totalMs: number;
}

export interface OciCallStats {
  operations: Record<string, OperationCounters>;
  totals: OperationCounters;
}

export class OciCallCounters {
  private readonly ops = new Map<string, OperationCounters>();

  private of(operation: string): OperationCounters {
    let c = this.ops.get(operation);
    if (!c) {
      c = { calls: 0, attempts: 0, retries: 0, throttled: 0, failures: 0, totalMs: 0 };
      this.ops.set(operation, c);
    }
    return c;
  }

  /** Records one finished adapter call. */
  call(operation: string, outcome: { attempts: number; ok: boolean; ms: number }): void {
    const c = this.of(operation);
    c.calls += 1;
    c.attempts += outcome.attempts;
    c.retries += Math.max(0, outcome.attempts - 1);
    if (!outcome.ok) c.failures += 1;
    c.totalMs += outcome.ms;
  }

  throttle(operation: string): void {
    this.of(operation).throttled += 1;
  }

  snapshot(): OciCallStats {
    const operations: Record<string, OperationCounters> = {};
    const totals: OperationCounters = { calls: 0, attempts: 0, retries: 0, throttled: 0, failures: 0, totalMs: 0 };
    for (const [name, c] of [...this.ops.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      operations[name] = { ...c };
      for (const k of Object.keys(totals) as Array<keyof OperationCounters>) totals[k] += c[k];
    }
    return { operations, totals };
  }

  reset(): void {
    this.ops.clear();
  }
}
