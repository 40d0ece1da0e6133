/**
 * Ports the leak collector and the instance-termination clean-up need beyond the reconcile's (lib/ports/kube.ts):
 * the cluster's Nodes and the project's records as lists, and a place to keep the collector's marks between runs.
 * Adapters over Kubernetes are in lib/adapters/kube/cluster-inventory.ts and lib/adapters/kube/configmap-leak-marks.ts.
 */

export interface NodeEntry {
  name: string;
  /** From `spec.providerID`; undefined when it is not an OCI instance. */
  instanceId?: string;
}

export interface RecordEntry {
  /** The OciIpamNode's name: the node's. */
  name: string;
  /** `spec.instanceId`. */
  instanceId: string;
}

export interface ClusterInventory {
  /** Called once per collector run: every Node of the cluster (all pages). */
  listNodes(): Promise<NodeEntry[]>;
  /** Called by the termination clean-up: every OciIpamNode record (all pages). */
  listRecords(): Promise<RecordEntry[]>;
}

/** One orphan the collector has seen, kept between runs. */
export interface LeakMark {
  kind: "privateIp" | "vnic";
  /** When a pass first found it orphaned (ISO 8601): the grace period runs from here. */
  firstSeen: string;
  /** The reason code it was orphaned for when first seen (for humans; the current pass re-decides). */
  reason: string;
  ipAddress?: string;
  node?: string;
  instanceId?: string;
}

export interface StoredMarks {
  /** Object OCID → mark. */
  marks: Record<string, LeakMark>;
  /** Opaque version for the guarded save (a resourceVersion); undefined when nothing is stored yet. */
  version?: string;
}

export interface LeakMarkStore {
  /** Called at the start of a collector run. Returns no marks when nothing is stored yet. */
  load(): Promise<StoredMarks>;
  /**
   * Called at the end of a run: replaces the stored marks with `marks`, only if they are still at `version` (undefined:
   * only if nothing is stored yet). Throws KubeConflictError when another run saved in between.
   */
  save(marks: Record<string, LeakMark>, version: string | undefined): Promise<void>;
}
