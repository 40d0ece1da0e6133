import type { OciOperation } from "../../oci/permissions";

/**
 * Calls per operation (every call that reached an operation, whatever its outcome), per operation and status, and per
 * signing principal and operation (so a harness can tell one component's calls from another's: the signature names
 * the principal, which a component cannot misreport).
 */
export class Counters {
  private calls = new Map<string, number>();
  private statuses = new Map<string, Map<number, number>>();
  private principals = new Map<string, Map<string, number>>();

  /** `principalId`: the user OCID of the key that signed the call; undefined when the signature did not verify. */
  record(operation: OciOperation, status: number, principalId?: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    if (principalId !== undefined) {
      const byOp = this.principals.get(principalId) ?? new Map<string, number>();
      byOp.set(operation, (byOp.get(operation) ?? 0) + 1);
      this.principals.set(principalId, byOp);
    }
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

  /** `{ "ocid1.user.oc1..emuallocator": { CreatePrivateIp: 3, … }, … }` (signed calls only) */
  byPrincipal(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.principals].map(([id, m]) => [id, Object.fromEntries(m)]));
  }

  reset(): void {
    this.calls = new Map();
    this.statuses = new Map();
    this.principals = new Map();
  }
}
