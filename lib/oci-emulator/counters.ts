import type { OciOperation } from "../oci/permissions";

/** Calls per operation (every call that reached an operation, whatever its outcome) and per operation and status. */
export class Counters {
  private calls = new Map<string, number>();
  private statuses = new Map<string, Map<number, number>>();

  record(operation: OciOperation, status: number): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const byStatus = this.statuses.get(operation) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.statuses.set(operation, byStatus);
  }

  /** `{ CreatePrivateIp: 3, … }` */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.calls);
  }

  /** `{ CreatePrivateIp: { "200": 2, "409": 1 }, … }` */
  byStatus(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [op, m] of this.statuses) out[op] = Object.fromEntries([...m].map(([s, n]) => [String(s), n]));
    return out;
  }

  reset(): void {
    this.calls = new Map();
    this.statuses = new Map();
  }
}
