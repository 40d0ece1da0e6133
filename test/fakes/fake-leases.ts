import type { LockHandle, NodeLocks } from "../../lib/ports/kube";
import type { FakeClock } from "./fake-clock";
import type { Faults } from "./faults";

interface Lease {
  holder: string;
  acquiredMs: number;
  ttlSeconds: number;
}

/**
 * Leases (coordination.k8s.io/v1) as the project's locks: a Lease is free when absent or when its holder's time ran out
 * on the fake clock. The API defines that time: "leaseDurationSeconds is a duration that candidates for a lease need to
 * wait to force acquire it. This is measure against time of last observed renewTime" (LeaseSpec,
 * https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/lease-v1/). A release deletes the Lease.
 */
export class FakeLeases implements NodeLocks {
  readonly leases = new Map<string, Lease>();
  /** Every key ever acquired, in order (what a test asserts "no lock was taken" on). */
  readonly acquired: string[] = [];

  constructor(
    private readonly clock: FakeClock,
    private readonly faults: Faults,
  ) {}

  /** Another invocation holds `key` for `ttlSeconds` from now (a concurrent reconcile, a killed one). */
  holdFor(key: string, holder: string, ttlSeconds: number): void {
    this.leases.set(key, { holder, acquiredMs: this.clock.nowMs(), ttlSeconds });
  }

  async tryAcquire(key: string, holder: string, ttlSeconds: number): Promise<LockHandle | undefined> {
    this.faults.check("kube", "tryAcquire", [key, holder]);
    const held = this.leases.get(key);
    if (held && !this.expired(held)) return undefined;
    this.leases.set(key, { holder, acquiredMs: this.clock.nowMs(), ttlSeconds });
    this.acquired.push(key);
    return {
      holder,
      release: async () => {
        if (this.leases.get(key)?.holder === holder) this.leases.delete(key);
      },
    };
  }

  async deleteExpired(): Promise<number> {
    this.faults.check("kube", "deleteExpired", []);
    let n = 0;
    for (const [key, lease] of this.leases) {
      if (this.expired(lease)) {
        this.leases.delete(key);
        n++;
      }
    }
    return n;
  }

  private expired(lease: Lease): boolean {
    return this.clock.nowMs() >= lease.acquiredMs + lease.ttlSeconds * 1000;
  }
}
