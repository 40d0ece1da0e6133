/**
 * The pure core's vocabulary: what the allocator observed about one node (from Kubernetes and OCI) and the plan
 * it derives. Plain data in the project's own types — no SDK type ever appears here — so the planner can be
 * table-tested and `ocipam plan --input` can read the same shape from a JSON file.
 */

/** One entry of `spec.ipam.pool` or `status.ipam.used` (Cilium's AllocationIP). */
export interface AllocationIp {
  owner?: string;
  resource?: string;
}

export type ReleaseStatus = "marked-for-release" | "ready-for-release" | "do-not-release" | "released";
export const RELEASE_STATUSES: readonly ReleaseStatus[] = [
  "marked-for-release",
  "ready-for-release",
  "do-not-release",
  "released",
];

/** The IPAM part of a CiliumNode, with Cilium's meaning (field names camelCased). */
export interface CiliumNodeIpam {
  name: string;
  /** `spec.ipam.pool` as it is now in Kubernetes. */
  pool: Record<string, AllocationIp>;
  preAllocate?: number;
  minAllocate?: number;
  maxAllocate?: number;
  maxAboveWatermark?: number;
  /** `status.ipam.used`, written by the agent. */
  used: Record<string, AllocationIp>;
  /** `status.ipam.release-ips`. */
  releaseIps: Record<string, ReleaseStatus>;
}

export interface ObservedInstance {
  id: string;
  compartmentId: string;
  availabilityDomain: string;
  shape: string;
  lifecycleState: string;
  /** `Instance.shapeConfig.maxVnicAttachments` (already applies the Flex OCPU rule). */
  maxVnicAttachments: number;
}

export interface ObservedPrivateIp {
  id: string;
  ipAddress: string;
  isPrimary: boolean;
  /**
   * Set only on an IP CIDR address: one private-IP object holding the aligned block `ipAddress/cidrPrefixLength`
   * (PrivateIp.cidrPrefixLength, oci-core lib/model/private-ip.d.ts). Its addresses are pool entries; see
   * lib/core/blocks.
   */
  cidrPrefixLength?: number;
  freeformTags: Record<string, string>;
}

export type AttachmentState = "ATTACHING" | "ATTACHED" | "DETACHING" | "DETACHED";

/** A VNIC attachment of the instance with, once attached, its VNIC and private IPs. */
export interface ObservedVnic {
  attachmentId: string;
  attachmentState: AttachmentState;
  /** Absent while the attachment is still ATTACHING (OCI fills vnicId once attached). */
  vnicId?: string;
  /**
   * Device index: 0 for the primary VNIC, then secondary VNICs in attachment order. It is what
   * first-interface-index compares against and what the node routing table number (10 + index) uses.
   */
  index: number;
  isPrimary: boolean;
  /**
   * The attachment's display name: identifies the allocator's own attachments before the VNIC (and its tags) exists.
   */
  attachmentDisplayName?: string;
  subnetId: string;
  macAddress?: string;
  nsgIds: string[];
  freeformTags: Record<string, string>;
  privateIps: ObservedPrivateIp[];
  /** When the attachment was created (ISO 8601): used to report how long an attachment has been pending. */
  timeCreated?: string;
}

export interface ObservedSubnet {
  id: string;
  vcnId: string;
  /** null for a regional subnet. */
  availabilityDomain: string | null;
  cidrBlock: string;
  /** Addresses still assignable (size - 3 reserved - assigned). */
  freeAddresses: number;
  freeformTags: Record<string, string>;
  /** Every IPv4 CIDR block of the subnet (absent: `[cidrBlock]`). */
  cidrBlocks?: string[];
  /** AVAILABLE or UPDATING (absent: AVAILABLE). In UPDATING no IP can be created or deleted in the subnet. */
  lifecycleState?: string;
  /**
   * What the subnet's IP inventory reports as allocated, in CIDR notation ("10.0.1.7/32", "10.0.1.16/28"). Read only
   * in block mode, when the plan may place blocks in this subnet (absent otherwise).
   */
  allocations?: string[];
}

export interface ObservedNsg {
  id: string;
  vcnId: string;
  freeformTags: Record<string, string>;
}

/** Allocator settings that shape a plan (the subset of the configuration the pure core needs). */
export interface PlannerConfig {
  clusterName: string;
  vcnId: string;
  /** Secondary private-IP objects one VNIC can hold (a tenancy limit: 64 Universal Credits, 32 Pay-As-You-Go). */
  ipsPerVnic: number;
  /** VNICs with a lower device index are never used for pods (0: the primary VNIC is used). */
  firstInterfaceIndex: number;
  /** A VNIC whose freeform tags match all of these is excluded (empty: none excluded by tags). */
  excludeInterfaceTags: Record<string, string>;
  /** Subnets for new VNICs, in preference to anything else. */
  subnetIds: string[];
  /** Subnets for new VNICs must carry all of these freeform tags (used when subnetIds is empty). */
  subnetTags: Record<string, string>;
  /** NSGs for new VNICs; else NSGs matching nsgTags; else the primary VNIC's NSGs. */
  nsgIds: string[];
  nsgTags: Record<string, string>;
  /** Opt-in release of excess IPs through Cilium's handshake. */
  releaseExcessIps: boolean;
  /** Seconds an IP must stay excess before it is marked for release (Cilium default 180). */
  excessIpReleaseDelaySeconds: number;
  /**
   * Prefix length of the private-IP objects the allocator creates (OCIPAM_IP_BLOCK_PREFIX_LENGTH): 32 (absent) is
   * one address per object; 24..31 is one IP CIDR block of 2^(32 - n) addresses per object (lib/core/blocks).
   */
  ipBlockPrefixLength?: number;
  /** A ceiling on the node maximum whatever the shape allows (OCIPAM_MAX_PODS_PER_NODE; 0 or absent: none). */
  maxPodsPerNode?: number;
}

/** Everything the planner looks at for one node, captured at one moment. */
export interface ObservedState {
  /** The moment of observation (ISO 8601); the planner never reads a clock. */
  now: string;
  config: PlannerConfig;
  ciliumNode: CiliumNodeIpam;
  instance: ObservedInstance;
  vnics: ObservedVnic[];
  /** Subnets of the cluster's VCN that could take a new VNIC. */
  subnets: ObservedSubnet[];
  nsgs: ObservedNsg[];
  /** Pods bound to this node that are still Pending (drives surge allocation). */
  pendingPods: number;
  /** When each IP was first seen as a release candidate (kept in the project's own per-node resource). */
  releaseFirstSeen: Record<string, string>;
  /**
   * How many rounds of this node have created objects so far (kept in the node's OciIpamNode record, 0 when none).
   * It is part of every retry token, so a token is never sent again once the objects it created may have been
   * deleted (OCI answers 409 InvalidatedRetryToken to a token whose object is gone): an observation can repeat an
   * earlier one (an operator deleted the IPs a round created), a generation never does.
   */
  retryGeneration?: number;
}

/** Where a node stands after planning. */
export type NodeState = "Ready" | "Allocating" | "AtCapacity" | "Error";

export interface NodeStats {
  available: number;
  used: number;
  needed: number;
  excess: number;
  preAllocate: number;
  minAllocate: number;
  maxAllocate: number;
  maxAboveWatermark: number;
  surge: number;
  /** needed + maxAboveWatermark + surge when needed > 0 (Cilium's MaxIPsToAllocate), else 0. */
  toAllocate: number;
  /** (slots - firstInterfaceIndex) × ipsPerVnic × block size, capped by the max pods per node. */
  nodeMaximum: number;
  /** Addresses held in OCI inside the node's IP CIDR blocks but not offered in the pool (0 without blocks). */
  heldUnoffered?: number;
  vnicSlots: number;
  vnicsAttached: number;
}

/** A typed reason: a stable code for machines and a sentence for humans. */
export interface Reason {
  code: string;
  message: string;
}

export interface AssignIpsAction {
  kind: "assignIps";
  vnicId: string;
  subnetId: string;
  count: number;
  /** One deterministic opc-retry-token per IP to create, in order. */
  retryTokens: string[];
  reason: Reason;
}

/**
 * IP CIDR blocks to create on one VNIC (CreatePrivateIp with `ipAddress` + `cidrPrefixLength`). Each block lists its
 * candidate first addresses in order, with one retry token per candidate: when another allocator took a candidate
 * first (409 Conflict), the next is tried; the tokens are deterministic, so a duplicated invocation sends the same.
 * `offer` addresses of each created block (its lowest) join the pool; the rest stay held but unoffered.
 */
export interface AssignBlocksAction {
  kind: "assignBlocks";
  vnicId: string;
  subnetId: string;
  prefixLength: number;
  blocks: BlockRequest[];
  reason: Reason;
}

export interface BlockRequest {
  candidates: string[];
  /** One opc-retry-token per candidate, same order. */
  retryTokens: string[];
  /** Addresses of the block to offer in the pool once created. */
  offer: number;
}

/**
 * IP CIDR blocks of the node none of whose addresses is offered or used: deleted in OCI (one DeletePrivateIp each),
 * each address checked first against every agent's used set.
 */
export interface ReleaseBlocksAction {
  kind: "releaseBlocks";
  blocks: Array<{ vnicId: string; privateIpId: string; ipAddress: string; prefixLength: number }>;
  reason: Reason;
}

export interface AttachVnicAction {
  kind: "attachVnic";
  subnetId: string;
  nsgIds: string[];
  /** The device index this VNIC will take. */
  index: number;
  /** IPs to assign once ATTACHED. */
  thenAssign: number;
  retryToken: string;
  /** One opc-retry-token per IP to create on the new VNIC once it is ATTACHED, in order (thenAssign of them). */
  ipRetryTokens: string[];
  /**
   * In block mode: blocks to create on the new VNIC instead of single IPs (thenAssign is then the addresses offered).
   */
  thenBlocks?: { prefixLength: number; blocks: BlockRequest[] };
  reason: Reason;
}

/**
 * Objects a prewarm created on the instance before the node existed (tagged with the instance, no node), now
 * claimed by the node: their freeform tags are replaced by `freeformTags` (their own tags plus the node tag), so
 * that ownership is never "any node on this instance" again.
 */
export interface AdoptObjectsAction {
  kind: "adoptObjects";
  privateIps: Array<{ privateIpId: string; ipAddress: string; freeformTags: Record<string, string> }>;
  vnics: Array<{ vnicId: string; freeformTags: Record<string, string> }>;
  reason: Reason;
}

export interface AwaitAttachmentAction {
  kind: "awaitAttachment";
  attachmentId: string;
  reason: Reason;
}

export interface MarkForReleaseAction {
  kind: "markForRelease";
  vnicId: string;
  ips: string[];
  reason: Reason;
}

export interface ReleaseIpsAction {
  kind: "releaseIps";
  vnicId: string;
  ips: Array<{ ipAddress: string; privateIpId: string }>;
  reason: Reason;
}

/** The new `status.ipam.release-ips` map (written before the pool, as Cilium's syncToAPIServer does). */
export interface WriteReleaseStatusAction {
  kind: "writeReleaseStatus";
  releaseIps: Record<string, ReleaseStatus>;
  reason: Reason;
}

/**
 * Rewrite `spec.ipam.pool` from OCI state after the other actions ran. `pool` is the pool as planned before acting;
 * the executor adds the IPs it creates. `preAllocate` is set when the CiliumNode has none (Cilium writes min(8,
 * capacity)).
 */
export interface WritePoolAction {
  kind: "writePool";
  pool: Record<string, AllocationIp>;
  preAllocate?: number;
  reason: Reason;
}

export type PlanAction =
  | AdoptObjectsAction
  | AssignIpsAction
  | AssignBlocksAction
  | AttachVnicAction
  | AwaitAttachmentAction
  | MarkForReleaseAction
  | ReleaseIpsAction
  | ReleaseBlocksAction
  | WriteReleaseStatusAction
  | WritePoolAction;

export interface Plan {
  node: string;
  instanceId: string;
  state: NodeState;
  /** Why the node is in that state. */
  reason: Reason;
  stats: NodeStats;
  /** Ordered; empty means nothing to do. */
  actions: PlanAction[];
  /** Every decision taken on the way, in order, for `--explain` and logs. */
  decisions: Reason[];
  /** The release bookkeeping to persist (first-seen times of current candidates). */
  releaseFirstSeen: Record<string, string>;
}
