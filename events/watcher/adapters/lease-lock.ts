import type { CoordinationV1Api, V1Lease, V1MicroTime } from "@kubernetes/client-node";
import { isConflict, isNotFound, toKubeError } from "../../../lib/adapters/kube/errors";
import { formatMicroTime, parseKubeTime } from "../../../lib/adapters/kube/kube-time";

/**
 * The leader election record (client-go `resourcelock.LeaderElectionRecord`), as held in a
 * coordination.k8s.io/v1 Lease's spec.
 */
export interface LeaderRecord {
  /** Empty: nobody leads and anyone may take it. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

/** A lock object holding one {@link LeaderRecord}, with optimistic concurrency (client-go `resourcelock.Interface`). */
export interface LeaseLock {
  /**
   * Called at every acquire or renew attempt that is not the leader's fast path. Returns the record and its raw form
   * (to notice any change), or undefined when the object does not exist. Remembers the object's version for update.
   */
  get(): Promise<{ record: LeaderRecord; raw: string } | undefined>;
  /** Called when get found nothing. Must fail (throw) if someone else created it first. */
  create(record: LeaderRecord): Promise<void>;
  /** Must write `record` only if the object is still at the version last read or written, else throw. */
  update(record: LeaderRecord): Promise<void>;
  /** `namespace/name`, for logs. */
  describe(): string;
}

/** Thrown by update/create when another writer got there first (409). */
export class LeaseLockConflict extends Error {}

/**
 * LeaseLock over a Lease, as client-go's `resourcelock.LeaseLock` (tools/leaderelection/resourcelock/leaselock.go):
 * get remembers the Lease, update replaces it carrying the remembered resourceVersion, so of two candidates
 * racing for an expired Lease exactly one update succeeds (the other gets 409 Conflict). Times are MicroTime with
 * six fractional digits, which the API server requires (lib/adapters/kube/kube-time.ts).
 */
export class KubeLeaseLock implements LeaseLock {
  private lease: V1Lease | undefined;

  constructor(
    private readonly api: CoordinationV1Api,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  async get(): Promise<{ record: LeaderRecord; raw: string } | undefined> {
    try {
      this.lease = await this.api.readNamespacedLease({ name: this.name, namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toKubeError(`get Lease ${this.describe()}`, err);
    }
    const spec = this.lease.spec ?? {};
    const record: LeaderRecord = {
      holderIdentity: spec.holderIdentity ?? "",
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: timeOf(spec.acquireTime),
      renewTime: timeOf(spec.renewTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
    };
    // client-go compares the JSON of the record to notice a change; the resourceVersion changes with every write.
    return { record, raw: `${this.lease.metadata?.resourceVersion ?? ""}|${JSON.stringify(spec)}` };
  }

  async create(record: LeaderRecord): Promise<void> {
    try {
      this.lease = await this.api.createNamespacedLease({
        namespace: this.namespace,
        body: {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: {
            name: this.name,
            namespace: this.namespace,
            labels: { "app.kubernetes.io/name": "ocipam-watcher" },
          },
          spec: toSpec(record),
        },
      });
    } catch (err) {
      if (isConflict(err)) throw new LeaseLockConflict(`Lease ${this.describe()} already exists`);
      throw toKubeError(`create Lease ${this.describe()}`, err);
    }
  }

  async update(record: LeaderRecord): Promise<void> {
    if (!this.lease) throw new Error(`Lease ${this.describe()} not read yet`);
    try {
      this.lease = await this.api.replaceNamespacedLease({
        name: this.name,
        namespace: this.namespace,
        body: { ...this.lease, spec: toSpec(record) },
      });
    } catch (err) {
      if (isConflict(err)) throw new LeaseLockConflict(`Lease ${this.describe()} changed since it was read`);
      throw toKubeError(`update Lease ${this.describe()}`, err);
    }
  }
}

function toSpec(record: LeaderRecord): V1Lease["spec"] {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: formatMicroTime(record.acquireTime) as unknown as V1MicroTime,
    renewTime: formatMicroTime(record.renewTime) as unknown as V1MicroTime,
    leaseTransitions: record.leaseTransitions,
  };
}

/** Milliseconds of a MicroTime (a string, or a Date if a client deserialized it); 0 when absent or malformed. */
function timeOf(value: unknown): number {
  return parseKubeTime(value) ?? 0;
}
