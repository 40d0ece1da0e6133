import type { AllocationIp, CiliumNodeIpam, NodeState, ReleaseStatus } from "../core/model";

/**
 * Narrow ports to the Kubernetes API, in the project's own types. Only adapters under lib/adapters/kube see
 * @kubernetes/client-node types. Writes are guarded by resourceVersion: a stale one throws `KubeConflictError`
 * (lib/ports/kube-errors.ts) and the caller re-reads and re-plans.
 */

export interface CiliumNodeView {
  name: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  /** `spec.instance-id`, which the agent never sets in crd mode (kept for completeness). */
  instanceId?: string;
  ipam: CiliumNodeIpam;
}

export interface CiliumNodes {
  /** Called at each observation. Returns undefined when the CiliumNode does not exist. */
  get(name: string): Promise<CiliumNodeView | undefined>;
  /**
   * Called before the pool is written (status before spec, as Cilium's syncToAPIServer). Must make
   * `status.ipam.release-ips` equal `next` (removing keys absent from it) only if the object is still at
   * `resourceVersion`. Returns the new resourceVersion.
   */
  writeReleaseStatus(
    name: string,
    resourceVersion: string,
    next: Record<string, ReleaseStatus>,
    previous: Record<string, ReleaseStatus>,
  ): Promise<string>;
  /**
   * Called after acting. Must make `spec.ipam.pool` equal `next` (removing keys absent from it) and set
   * `spec.ipam.pre-allocate` when `preAllocate` is given, only if the object is still at `resourceVersion`.
   * Returns the new resourceVersion.
   */
  writePool(
    name: string,
    resourceVersion: string,
    next: Record<string, AllocationIp>,
    previous: Record<string, AllocationIp>,
    preAllocate?: number,
  ): Promise<string>;
  /** Called by the watcher: every CiliumNode, then changes. */
  list(): Promise<CiliumNodeView[]>;
}

export interface KubeNodeInfo {
  name: string;
  uid: string;
  /** `spec.providerID`: `oci://<instance OCID>` or the bare OCID. */
  providerId?: string;
  labels: Record<string, string>;
}

export interface KubeNodes {
  /** Called at each reconcile to map the node to its instance. Undefined when the Node does not exist. */
  get(name: string): Promise<KubeNodeInfo | undefined>;
  /** Called for instance events: finds the Node whose providerID names the instance. */
  findByInstanceId(instanceId: string): Promise<KubeNodeInfo | undefined>;
  /**
   * Called at a node's first reconcile on an instance (under the instance's lock): every Node whose providerID names
   * the instance, in either form. More than one means a stale or forged Node, and neither may be served.
   */
  listByInstanceId(instanceId: string): Promise<KubeNodeInfo[]>;
  /**
   * Called at most once per invocation (lib/reconcile/node-directory.ts), when a node's first reconcile must know every
   * Node naming its instance: every Node of the cluster (all pages).
   */
  list(): Promise<KubeNodeInfo[]>;
}

export interface Pods {
  /** Called when planning an allocation: pods bound to the node and still Pending (Cilium's surge allocation). */
  countPending(nodeName: string): Promise<number>;
}

export interface LockHandle {
  readonly holder: string;
  /** Called when the work is done or abandoned: frees the lock early so the next nudge need not wait for expiry. */
  release(): Promise<void>;
}

export interface NodeLocks {
  /**
   * Called before a reconcile acts on a node. Takes the node's lock for `ttlSeconds` if it is free or expired,
   * else returns undefined (another invocation is working on the node). Two callers can never both hold it.
   */
  tryAcquire(node: string, holder: string, ttlSeconds: number): Promise<LockHandle | undefined>;
  /**
   * Called by leak collection once per pass: deletes the locks whose holder's time ran out (an invocation that was
   * killed before it released its lock), so no lock of a node or instance that is gone stays behind. Must never delete
   * a lock that is held, or one taken over since it was read. Returns how many it deleted.
   */
  deleteExpired(): Promise<number>;
}

/** One VNIC as recorded in the project's per-node resource (what the CiliumNode cannot hold). */
export interface VnicRecord {
  vnicId: string;
  attachmentId: string;
  macAddress?: string;
  nicIndex?: number;
  index: number;
  isPrimary: boolean;
  subnetId: string;
  subnetCidr?: string;
  virtualRouterIp?: string;
  lifecycleState: string;
  ipCount: number;
  poolIpCount: number;
}

export interface IpamRecordStatus {
  state: NodeState | "Pending" | "Prewarmed";
  reason: string;
  message: string;
  lastReconcileTime: string;
  counts: {
    available: number;
    used: number;
    needed: number;
    excess: number;
    maxAllocatable: number;
    vnicsAttached: number;
    vnicSlots: number;
  };
  vnics: VnicRecord[];
  allocating?: { attachmentId: string; since: string };
  release: { firstSeenExcess: Record<string, string> };
  /** Rounds of this node that created objects so far: part of every retry token (lib/core/retry-token.ts). */
  retryGeneration?: number;
}

export interface IpamRecord {
  name: string;
  instanceId: string;
  resourceVersion?: string;
  status?: IpamRecordStatus;
  /**
   * Nodes that named this record's instance in their providerID while this record claimed it (written by their
   * refused reconciles): while one of them still names the instance, this node is refused too.
   */
  contenders: string[];
}

/** The Kubernetes Node a record belongs to: Kubernetes deletes the record with its Node (ownerReferences). */
export interface RecordOwner {
  name: string;
  uid: string;
}

export interface IpamRecords {
  /** Called at each observation (release first-seen times, the allocating marker). */
  get(name: string): Promise<IpamRecord | undefined>;
  /**
   * Called after each reconcile: creates the record if needed (owned by `owner`, the node's Node, so that Kubernetes'
   * garbage collector deletes it with the Node) and replaces its status. Last writer wins. The record claims
   * `instanceId`: it must be findable by {@link findByInstance}.
   */
  save(name: string, instanceId: string, status: IpamRecordStatus, owner?: RecordOwner): Promise<void>;
  /**
   * Called at a node's first reconcile on an instance, under the instance's lock: every record claiming the instance
   * (any node name). Must not list every record: the adapter selects by a label derived from the instance OCID.
   */
  findByInstance(instanceId: string): Promise<IpamRecord[]>;
  /**
   * Called when a reconcile is refused because `name`'s record claims the instance `contender` names: adds
   * `contender` to the record's contenders (no-op when the record is gone). Never touches the record's status.
   */
  addContender(name: string, contender: string): Promise<void>;
  /** Called when none of a record's contenders names its instance any more: empties the list. */
  clearContenders(name: string): Promise<void>;
  /** Called when the instance is terminated or the node is gone. */
  remove(name: string): Promise<void>;
}

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export interface KubeEvents {
  /** Called for every change the allocator makes and every error it meets. Must never throw (best effort). */
  record(target: EventTarget, type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
}
