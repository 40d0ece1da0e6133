/**
 * The node agent's vocabulary: what the instance metadata service says about this instance's VNICs, what the
 * node's CiliumNode says about its pool, the routing state the agent wants, and the routing state the kernel has.
 * Plain data, so the desired-state and plan functions are pure and table-tested.
 */
import type { AllocationIp } from "../core/model";

/** Cilium's per-interface route table offset (`linux_defaults.RouteTableInterfacesOffset = 10`). */
export const ROUTE_TABLE_OFFSET = 10;
/** Cilium's ingress rule priority (`linux_defaults.RulePriorityIngress`): `to <ip>/32 lookup main`. */
export const RULE_PRIORITY_INGRESS = 20;
/** Cilium's egress rule priority (`linux_defaults.RulePriorityEgressv2`): `from <ip>/32 lookup <10+index>`. */
export const RULE_PRIORITY_EGRESS = 111;
/** The kernel's main routing table (`RT_TABLE_MAIN`). */
export const MAIN_TABLE = 254;
/** The kernel's local table (`RT_TABLE_LOCAL`): the node's own addresses. */
export const LOCAL_TABLE = 255;

/**
 * One entry of IMDS v2 `GET /opc/v2/vnics/`. The endpoint returns a JSON array whose first entry is the primary
 * VNIC (cloud-init's DataSourceOracle relies on the same order). Field names as OCI documents them
 * (managingVNICs.htm, "VNIC Information in the Instance Metadata").
 */
export interface ImdsVnic {
  vnicId: string;
  /** Lower-cased (IMDS reports upper case, e.g. `02:00:17:05:CF:51`; the kernel reports lower case). */
  macAddr: string;
  privateIp: string;
  subnetCidrBlock: string;
  virtualRouterIp: string;
  /** Oracle-assigned VLAN tag of the attachment; informational (see the README for why it is not the table key). */
  vlanTag?: number;
  /** The physical NIC (0 or 1 on some bare metal shapes; 0 on VMs); informational. */
  nicIndex?: number;
}

/** What the agent needs from its node's CiliumNode. */
export interface NodeIpamSnapshot {
  /** False when the CiliumNode does not exist (not yet created, or deleted). */
  exists: boolean;
  /** `spec.ipam.pool`: IP → `{resource: <VNIC OCID>}`. */
  pool: Record<string, AllocationIp>;
  /** `status.ipam.used`: IP → `{owner, resource}`. */
  used: Record<string, AllocationIp>;
  resourceVersion?: string;
}

/** Settings of the routing computation. */
export interface RoutingConfig {
  /** MTU set on every secondary VNIC interface the agent configures (OCI instances use 9000 by default). */
  mtu: number;
  /**
   * Route/rule protocol number (`proto`/`protocol` in iproute2) that marks what this agent installed. Routes and
   * rules with any other protocol are never modified or deleted.
   */
  protocol: number;
  /**
   * When non-empty, egress rules become `from <ip>/32 to <cidr> lookup <table>` for each CIDR (Cilium ENI's form when
   * it masquerades), so traffic to other destinations keeps using the main table and is masqueraded to the node's
   * address. Empty: `from <ip>/32 lookup <table>` (all egress of the IP leaves through its VNIC).
   */
  egressCidrs: string[];
  /**
   * The allocator's IP CIDR block prefix length (OCIPAM_IP_BLOCK_PREFIX_LENGTH; 32 or absent: single addresses).
   * Below 32, the pool addresses of a secondary VNIC that fall in one aligned block get ONE egress rule
   * `from <block>/<n> lookup <table>` (and one ingress rule `to <block>/<n> lookup main`) instead of one per address,
   * unless an address of another VNIC of the node lies in the same block (then per address, as without blocks).
   */
  blockPrefixLength?: number;
}

export const DEFAULT_MTU = 9000;
/** Not assigned in iproute2's rt_protos nor in linux/rtnetlink.h; configurable with --protocol. */
export const DEFAULT_PROTOCOL = 165;

/** A secondary VNIC interface to configure, found by MAC. */
export interface DesiredLink {
  mac: string;
  vnicId: string;
  /** Position in the IMDS list (primary = 0). */
  index: number;
  mtu: number;
  up: true;
}

/** A route in a per-VNIC table; the device is named by MAC until resolved against the kernel's links. */
export interface DesiredRoute {
  /** `a.b.c.d/n` or `default`. */
  dst: string;
  gateway?: string;
  scope: "link" | "global";
  mac: string;
}

export interface DesiredTable {
  table: number;
  vnicId: string;
  mac: string;
  routes: DesiredRoute[];
}

export interface DesiredRule {
  priority: number;
  /** `a.b.c.d/32` selector on the source, for egress rules. */
  from?: string;
  /** `a.b.c.d/n` selector on the destination: the IP for ingress rules, an egress CIDR for restricted egress. */
  to?: string;
  table: number;
  /** The pool IP the rule is for (`a.b.c.d/n` for a block rule). */
  ip: string;
  vnicId: string;
}

export type SkipReason = "NotIpv4" | "NoResource" | "VnicNotInMetadata" | "OutsideVnicSubnet";

/** A pool IP the agent cannot route (yet), with why. */
export interface SkippedIp {
  ip: string;
  resource?: string;
  reason: SkipReason;
}

export interface DesiredRouting {
  links: DesiredLink[];
  tables: DesiredTable[];
  rules: DesiredRule[];
  /** Pool IPs on the primary VNIC: they need no node configuration. */
  primaryIps: string[];
  skipped: SkippedIp[];
}

/** A network interface as the kernel reports it. */
export interface ObservedLink {
  ifname: string;
  ifindex: number;
  mac: string;
  mtu: number;
  up: boolean;
  /** IFF_SLAVE: a bond member, which shares its master's MAC and is never the interface to configure. */
  slave: boolean;
}

export interface ObservedRule {
  priority: number;
  from?: string;
  to?: string;
  table: number;
  protocol: number;
  /** Selectors other than from/to/table (iif, oif, fwmark, not, …): such a rule never matches one of ours. */
  otherSelectors: string[];
}

export interface ObservedRoute {
  table: number;
  /** `a.b.c.d/n` or `default`. */
  dst: string;
  gateway?: string;
  dev?: string;
  /** `link`, `global`, `host`, or the number when unnamed. */
  scope: string;
  protocol: number;
  metric: number;
  /** Route type (`unicast`, `local`, `broadcast`, …). */
  type: string;
}

export interface ObservedNet {
  links: ObservedLink[];
  rules: ObservedRule[];
  routes: ObservedRoute[];
}

/** One change to the kernel's routing state. The protocol mark is added by the data plane adapter. */
export type RoutingOp =
  | { kind: "setLinkMtu"; ifname: string; mtu: number; reason: string }
  | { kind: "setLinkUp"; ifname: string; reason: string }
  | {
      kind: "replaceRoute";
      table: number;
      dst: string;
      gateway?: string;
      dev: string;
      scope: "link" | "global";
      reason: string;
    }
  | { kind: "deleteRoute"; table: number; dst: string; metric: number; reason: string }
  | { kind: "addRule"; priority: number; from?: string; to?: string; table: number; reason: string }
  | { kind: "deleteRule"; priority: number; from?: string; to?: string; table: number; reason: string };

export type ProblemKind =
  | "InterfaceNotFound"
  | "SeveralInterfacesWithMac"
  | "ForeignRouteConflict"
  | "PrimaryInterfaceReused";

/** Something that keeps a VNIC from being configured; reported, never fixed by force. */
export interface RoutingProblem {
  kind: ProblemKind;
  vnicId: string;
  mac: string;
  table?: number;
  detail: string;
}

export interface RoutingPlan {
  ops: RoutingOp[];
  problems: RoutingProblem[];
}
