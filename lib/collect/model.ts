import type { Reason } from "../core/model";
import type { LeakMark, NodeEntry } from "./ports";

/**
 * The leak collector's vocabulary: what one pass saw (plain data, no SDK type) and what it decides. The pure parts
 * (classify.ts, decide.ts) work on these alone, so they are table-tested without any server.
 */

export interface SeenPrivateIp {
  id: string;
  ipAddress: string;
  vnicId?: string;
  subnetId: string;
  isPrimary: boolean;
  /** Set on an IP CIDR address (one object, the aligned block `ipAddress/cidrPrefixLength`). */
  cidrPrefixLength?: number;
  freeformTags: Record<string, string>;
}

export interface SeenAttachment {
  id: string;
  instanceId: string;
  vnicId?: string;
  displayName?: string;
  lifecycleState: string;
}

export interface SeenVnic {
  id: string;
  isPrimary: boolean;
  freeformTags: Record<string, string>;
}

/** An instance as GetInstance answered, or "gone" (404: terminated long ago, or never visible). */
export type SeenInstance = { lifecycleState: string; timeCreated?: string } | "gone";

export interface SeenCiliumNode {
  name: string;
  pool: string[];
  used: string[];
  /** Addresses with any status.ipam.release-ips entry: in the release handshake, not leaks. */
  inHandshake: string[];
}

/** What the Kubernetes side says: which nodes exist and what their pools hold. */
export interface ClusterView {
  nodes: NodeEntry[];
  ciliumNodes: SeenCiliumNode[];
}

/** Everything a pass decides on. */
export interface CollectorSnapshot {
  /** The moment of the pass (ISO 8601); the pure code reads no clock. */
  now: string;
  cluster: string;
  /** Prewarm on: an instance with no Node yet, RUNNING and younger than joinTimeoutSeconds, is being prepared. */
  prewarmEnabled: boolean;
  joinTimeoutSeconds: number;
  /** Every private IP of the VCN's subnets. */
  privateIps: SeenPrivateIp[];
  /** Every VNIC attachment of the cluster's compartments. */
  attachments: SeenAttachment[];
  /** VNICs read for candidate attachments (allocator-named, instance not a node). */
  vnics: Record<string, SeenVnic>;
  /** Instances read for the decision. */
  instances: Record<string, SeenInstance>;
  view: ClusterView;
}

export type ObjectKind = LeakMark["kind"];

/** An object found orphaned on this pass, and why. */
export interface Orphan {
  kind: ObjectKind;
  /** Private IP OCID, or VNIC attachment OCID for a VNIC (what DetachVnic takes). */
  id: string;
  reason: Reason;
  ipAddress?: string;
  vnicId?: string;
  node?: string;
  instanceId?: string;
}

/** An allocator object that looks orphaned but is kept, and why (reported so humans see it). */
export interface Kept {
  kind: ObjectKind;
  id: string;
  ipAddress?: string;
  reason: Reason;
}

export interface Classification {
  orphans: Orphan[];
  kept: Kept[];
  /** Allocator-tagged objects found where they belong (in a pool, on a node's instance). */
  healthy: number;
  /** Objects without this cluster's tag: never looked at further. */
  foreign: number;
}

export interface CollectorLimits {
  gracePeriodSeconds: number;
  maxDeletions: number;
  /** At most this many marks are kept (the ConfigMap's 1 MiB); the oldest first. */
  maxMarks: number;
}

export interface CollectorDecision {
  /** Orphans first seen on this pass. */
  newlyMarked: Orphan[];
  /** Orphans marked on an earlier pass at least the grace period ago: act now (capped). */
  toDelete: Orphan[];
  /** Orphans not acted on, and why (grace, cap, goes with its VNIC, mark limit). */
  skipped: Array<{ kind: ObjectKind; id: string; ipAddress?: string; reason: Reason }>;
  /** The marks to store: every orphan still there after this pass (callers drop those they deleted). */
  marks: Record<string, LeakMark>;
}
