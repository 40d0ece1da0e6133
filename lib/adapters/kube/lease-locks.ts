import type { CoordinationV1Api, V1Lease, V1LeaseSpec, V1MicroTime } from "@kubernetes/client-node";
import { silentLogger, type Log } from "../../log";
import type { LockHandle, NodeLocks } from "../../ports/kube";
import { isConflict, isNotFound, toKubeError } from "./errors";
import { formatMicroTime, parseKubeTime } from "./kube-time";
import { leaseNameForNode } from "./lease-name";

export const DEFAULT_LOCK_NAMESPACE = "ocipam-system";
const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
/** Only the allocator's own Leases: the watcher's leader-election Lease lives in the same namespace. */
const MANAGED_BY_SELECTOR = `${MANAGED_BY_LABEL}=ocipam`;

export interface LeaseNodeLocksOptions {
  /** Namespace holding the per-node Leases (the allocator's RBAC grants leases there). */
  namespace?: string;
  /** Milliseconds since the epoch; injected so expiry can be tested without waiting. */
  clock?: () => number;
  log?: Log;
}

/**
 * NodeLocks over coordination.k8s.io/v1 Leases, one per node. Mutual exclusion comes from the API server alone:
 * a create of an existing name answers 409 AlreadyExists, and a replace carrying a stale resourceVersion answers
 * 409 Conflict, so of two concurrent callers exactly one succeeds; the loser gets undefined. A Lease is free when
 * it has no holder or `renewTime + leaseDurationSeconds` lies in the past (client-go leaderelection's rule); the
 * holder may re-take its own Lease. Times are MicroTime strings (kube-time.ts).
 */
export class LeaseNodeLocks implements NodeLocks {
  private readonly namespace: string;
  private readonly clock: () => number;
  private readonly log: Log;

  constructor(
    private readonly api: CoordinationV1Api,
    options: LeaseNodeLocksOptions = {},
  ) {
    this.namespace = options.namespace ?? DEFAULT_LOCK_NAMESPACE;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? silentLogger();
  }

  async tryAcquire(node: string, holder: string, ttlSeconds: number): Promise<LockHandle | undefined> {
    if (!holder) throw new TypeError("tryAcquire: holder must not be empty (an empty holder means a free Lease)");
    const name = leaseNameForNode(node);
    const duration = Math.max(1, Math.ceil(ttlSeconds));
    const now = this.clock();
    const operation = `acquire Lease ${this.namespace}/${name}`;

    try {
      const created = await this.api.createNamespacedLease({
        namespace: this.namespace,
        body: this.newLease(name, node, holder, duration, now),
      });
      return this.handle(created, holder);
    } catch (err) {
      if (!isConflict(err)) throw toKubeError(operation, err);
    }

    let current: V1Lease;
    try {
      current = await this.api.readNamespacedLease({ name, namespace: this.namespace });
    } catch (err) {
      // Gone between our create and read (someone deleted it): let the next nudge try again.
      if (isNotFound(err)) return undefined;
      throw toKubeError(operation, err);
    }
    if (!isFree(current.spec, holder, now)) return undefined;

    const previousHolder = current.spec?.holderIdentity ?? "";
    const spec: V1LeaseSpec = {
      holderIdentity: holder,
      leaseDurationSeconds: duration,
      acquireTime: previousHolder === holder && current.spec?.acquireTime ? current.spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (current.spec?.leaseTransitions ?? 0) + (previousHolder && previousHolder !== holder ? 1 : 0),
    };
    try {
      const updated = await this.api.replaceNamespacedLease({
        name,
        namespace: this.namespace,
        body: { ...this.leaseShell(current), spec },
      });
      return this.handle(updated, holder);
    } catch (err) {
      // 409: somebody else took or changed it since our read; they won.
      if (isConflict(err)) return undefined;
      throw toKubeError(operation, err);
    }
  }

  async deleteExpired(): Promise<number> {
    let leases: V1Lease[];
    try {
      ({ items: leases } = await this.api.listNamespacedLease({
        namespace: this.namespace,
        labelSelector: MANAGED_BY_SELECTOR,
      }));
    } catch (err) {
      throw toKubeError(`list Leases in ${this.namespace}`, err);
    }
    const now = this.clock();
    let deleted = 0;
    for (const lease of leases) {
      // Expired for everyone: free even for a holder named "" (isFree's own-holder rule must not apply here).
      if (!lease.spec?.holderIdentity || !isFree(lease.spec, "\u0000sweeper", now)) continue;
      const name = lease.metadata?.name ?? "";
      try {
        await this.api.deleteNamespacedLease({
          name,
          namespace: this.namespace,
          body: { preconditions: { resourceVersion: lease.metadata?.resourceVersion } },
        });
        deleted++;
      } catch (err) {
        // Taken over (409) or deleted (404) since the list: not ours to remove.
        if (!isConflict(err) && !isNotFound(err)) throw toKubeError(`delete Lease ${this.namespace}/${name}`, err);
      }
    }
    return deleted;
  }

  private newLease(name: string, node: string, holder: string, duration: number, now: number): V1Lease {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name,
        namespace: this.namespace,
        labels: { [MANAGED_BY_LABEL]: "ocipam" },
        annotations: { "ocipam.io/node": node },
      },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: duration,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      },
    };
  }

  /** The object to PUT: identity and our labels/annotations, guarded by the resourceVersion we read. */
  private leaseShell(lease: V1Lease): V1Lease {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: lease.metadata?.name,
        namespace: this.namespace,
        resourceVersion: lease.metadata?.resourceVersion,
        labels: lease.metadata?.labels,
        annotations: lease.metadata?.annotations,
      },
    };
  }

  private handle(lease: V1Lease, holder: string): LockHandle {
    let released = false;
    return {
      holder,
      /**
       * Deletes the Lease, guarded by the resourceVersion of our own write, so a Lease that expired and was taken over
       * meanwhile is left to its new holder (409). Deleting rather than clearing the holder means a Lease exists only
       * while someone holds it: nothing accumulates for nodes and instances that are gone. Never throws: a Lease that
       * could not be released simply expires (and the next holder deletes it).
       */
      release: async () => {
        if (released) return;
        released = true;
        const name = lease.metadata?.name ?? "";
        const resourceVersion = lease.metadata?.resourceVersion;
        try {
          await this.api.deleteNamespacedLease({
            name,
            namespace: this.namespace,
            body: { preconditions: resourceVersion ? { resourceVersion } : {} },
          });
        } catch (err) {
          if (isConflict(err) || isNotFound(err)) {
            this.log.debug({ lease: name, holder }, "lease changed since it was taken; nothing to release");
            return;
          }
          this.log.warn(
            { lease: name, holder, err: toKubeError(`release Lease ${this.namespace}/${name}`, err).toJSON() },
            "could not release lease; it will expire",
          );
        }
      },
    };
  }
}

/** Free for `holder`: nobody holds it, `holder` already does, or the holder's lease duration has run out. */
export function isFree(spec: V1LeaseSpec | undefined, holder: string, now: number): boolean {
  const current = spec?.holderIdentity ?? "";
  if (!current || current === holder) return true;
  const renewed = parseKubeTime(spec?.renewTime) ?? parseKubeTime(spec?.acquireTime);
  const duration = spec?.leaseDurationSeconds;
  if (renewed === undefined || typeof duration !== "number") return true;
  return renewed + duration * 1000 < now;
}

/**
 * client-node passes MicroTime values through its serializer untouched (V1MicroTime is not in its type map), so
 * the correctly formatted string is what goes on the wire.
 */
function microTime(ms: number): V1MicroTime {
  return formatMicroTime(ms) as unknown as V1MicroTime;
}
