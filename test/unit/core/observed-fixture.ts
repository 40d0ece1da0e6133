import type { ObservedPrivateIp, ObservedState, ObservedVnic, PlannerConfig } from "../../../lib/core/model";
import { ownershipTags } from "../../../lib/core/ownership";

export const CLUSTER = "c1";
export const NODE = "worker-1";
export const VCN = "ocid1.vcn.oc1..vcn";
export const SUBNET_NODE = "ocid1.subnet.oc1..node";
export const SUBNET_PODS = "ocid1.subnet.oc1..pods";
export const AD1 = "Uocm:PHX-AD-1";

export function config(overrides: Partial<PlannerConfig> = {}): PlannerConfig {
  return {
    clusterName: CLUSTER,
    vcnId: VCN,
    ipsPerVnic: 31,
    firstInterfaceIndex: 0,
    excludeInterfaceTags: {},
    subnetIds: [],
    subnetTags: {},
    nsgIds: [],
    nsgTags: {},
    releaseExcessIps: false,
    excessIpReleaseDelaySeconds: 180,
    ...overrides,
  };
}

/** `count` allocator-owned secondary IPs starting at 10.0.<third>.<start>. */
export function ownedIps(count: number, third = 1, start = 10, node = NODE): ObservedPrivateIp[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `ocid1.privateip.oc1..${third}-${start + i}`,
    ipAddress: `10.0.${third}.${start + i}`,
    isPrimary: false,
    freeformTags: ownershipTags(CLUSTER, node),
  }));
}

export function primaryVnic(extraIps: ObservedPrivateIp[] = [], overrides: Partial<ObservedVnic> = {}): ObservedVnic {
  return {
    attachmentId: "ocid1.vnicattachment.oc1..primary",
    attachmentState: "ATTACHED",
    vnicId: "ocid1.vnic.oc1..primary",
    index: 0,
    isPrimary: true,
    subnetId: SUBNET_NODE,
    macAddress: "02:00:17:00:00:01",
    nsgIds: ["ocid1.nsg.oc1..nodes"],
    freeformTags: {},
    privateIps: [
      { id: "ocid1.privateip.oc1..primary", ipAddress: "10.0.1.2", isPrimary: true, freeformTags: {} },
      ...extraIps,
    ],
    ...overrides,
  };
}

export function secondaryVnic(
  index: number,
  extraIps: ObservedPrivateIp[] = [],
  overrides: Partial<ObservedVnic> = {},
): ObservedVnic {
  return {
    attachmentId: `ocid1.vnicattachment.oc1..s${index}`,
    attachmentState: "ATTACHED",
    vnicId: `ocid1.vnic.oc1..s${index}`,
    index,
    isPrimary: false,
    attachmentDisplayName: `ocipam:${CLUSTER}:${NODE}`,
    subnetId: SUBNET_PODS,
    macAddress: `02:00:17:00:00:1${index}`,
    nsgIds: [],
    freeformTags: ownershipTags(CLUSTER, NODE),
    privateIps: [
      {
        id: `ocid1.privateip.oc1..s${index}-primary`,
        ipAddress: `10.0.2.${100 + index}`,
        isPrimary: true,
        freeformTags: ownershipTags(CLUSTER, NODE),
      },
      ...extraIps,
    ],
    ...overrides,
  };
}

export function observed(
  overrides: Partial<ObservedState> = {},
  nodeOverrides: Partial<ObservedState["ciliumNode"]> = {},
): ObservedState {
  return {
    now: "2026-11-28T00:00:00.000Z",
    config: config(),
    ciliumNode: { name: NODE, pool: {}, used: {}, releaseIps: {}, preAllocate: 8, ...nodeOverrides },
    instance: {
      id: "ocid1.instance.oc1..w1",
      compartmentId: "ocid1.compartment.oc1..c",
      availabilityDomain: AD1,
      shape: "VM.Standard.E4.Flex",
      lifecycleState: "RUNNING",
      maxVnicAttachments: 2,
    },
    vnics: [primaryVnic()],
    subnets: [
      {
        id: SUBNET_NODE,
        vcnId: VCN,
        availabilityDomain: AD1,
        cidrBlock: "10.0.1.0/24",
        freeAddresses: 200,
        freeformTags: {},
      },
      {
        id: SUBNET_PODS,
        vcnId: VCN,
        availabilityDomain: null,
        cidrBlock: "10.0.2.0/24",
        freeAddresses: 250,
        freeformTags: { role: "pods" },
      },
    ],
    nsgs: [],
    pendingPods: 0,
    releaseFirstSeen: {},
    ...overrides,
  };
}

/** The pool entries an observation's owned IPs produce, for writing `spec.ipam.pool` in fixtures. */
export function poolOf(vnicId: string, ips: ObservedPrivateIp[]): Record<string, { resource: string }> {
  return Object.fromEntries(ips.map((ip) => [ip.ipAddress, { resource: vnicId }]));
}

/** A `status.ipam.used` map holding the first `count` of these IPs. */
export function usedOf(
  vnicId: string,
  ips: ObservedPrivateIp[],
  count: number,
): Record<string, { owner: string; resource: string }> {
  return Object.fromEntries(
    ips.slice(0, count).map((ip, i) => [ip.ipAddress, { owner: `default/pod-${i}`, resource: vnicId }]),
  );
}
