import type * as core from "oci-core";
import type { AttachmentState } from "../../core/model";
import type { InstanceInfo, NsgInfo, PrivateIpInfo, SubnetInfo, VnicAttachmentInfo, VnicInfo } from "../../ports/oci";
import { OciUnexpectedError } from "./errors";

/**
 * SDK models (oci-core 2.139.1 lib/model) → the port's types. What the SDK does at runtime, measured
 * with 2.139.1: responses are the parsed JSON, not instances, so
 * - `timeCreated` stays the JSON string although the type says `Date`;
 * - optional fields may be missing or `null` (VnicAttachment.vnicId is null until ATTACHED: "Available after the
 *   attachment process is complete", model/vnic-attachment.d.ts);
 * - `freeformTags` may be absent: it becomes `{}`.
 * A required field missing from the answer is an `OciUnexpectedError` naming it.
 */

type Tags = Record<string, string>;

function tags(v: Tags | null | undefined): Tags {
  return v ? { ...v } : {};
}

function opt<T>(v: T | null | undefined): T | undefined {
  return v === null || v === undefined ? undefined : v;
}

/** `timeCreated` as an ISO string whatever the runtime value is. */
export function isoTime(v: Date | string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v;
  return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
}

function required<T>(operation: string, field: string, v: T | null | undefined): T {
  if (v === null || v === undefined || (v as unknown) === "")
    throw new OciUnexpectedError(operation, `answer lacks ${field}`);
  return v;
}

const ATTACHMENT_STATES: readonly string[] = ["ATTACHING", "ATTACHED", "DETACHING", "DETACHED"];

/**
 * The instance with its per-instance VNIC limit. `shapeConfig.maxVnicAttachments` is optional in the model; when it
 * is missing the result says 1 (the primary VNIC only), so the allocator never attaches a VNIC it cannot prove a
 * slot for; the adapter logs it.
 */
export function toInstanceInfo(i: core.models.Instance): InstanceInfo {
  const op = "GetInstance";
  return {
    id: required(op, "id", i.id),
    compartmentId: required(op, "compartmentId", i.compartmentId),
    availabilityDomain: required(op, "availabilityDomain", i.availabilityDomain),
    shape: required(op, "shape", i.shape),
    displayName: i.displayName ?? "",
    lifecycleState: required(op, "lifecycleState", i.lifecycleState),
    maxVnicAttachments: i.shapeConfig?.maxVnicAttachments ?? 1,
    freeformTags: tags(i.freeformTags),
    timeCreated: isoTime(i.timeCreated),
  };
}

export function toVnicAttachmentInfo(a: core.models.VnicAttachment, operation: string): VnicAttachmentInfo {
  const state = required(operation, "lifecycleState", a.lifecycleState) as string;
  if (!ATTACHMENT_STATES.includes(state)) {
    throw new OciUnexpectedError(operation, `VNIC attachment ${a.id} has unknown lifecycleState ${state}`);
  }
  return {
    id: required(operation, "id", a.id),
    instanceId: required(operation, "instanceId", a.instanceId),
    compartmentId: required(operation, "compartmentId", a.compartmentId),
    availabilityDomain: required(operation, "availabilityDomain", a.availabilityDomain),
    lifecycleState: state as AttachmentState,
    vnicId: opt(a.vnicId),
    subnetId: opt(a.subnetId),
    nicIndex: opt(a.nicIndex),
    displayName: opt(a.displayName),
    timeCreated: isoTime(a.timeCreated),
  };
}

export function toVnicInfo(v: core.models.Vnic): VnicInfo {
  const op = "GetVnic";
  return {
    id: required(op, "id", v.id),
    isPrimary: v.isPrimary ?? false,
    subnetId: required(op, "subnetId", v.subnetId),
    macAddress: opt(v.macAddress),
    privateIp: opt(v.privateIp),
    nsgIds: [...(v.nsgIds ?? [])],
    freeformTags: tags(v.freeformTags),
    lifecycleState: required(op, "lifecycleState", v.lifecycleState),
  };
}

export function toPrivateIpInfo(p: core.models.PrivateIp, operation: string): PrivateIpInfo {
  return {
    id: required(operation, "id", p.id),
    ipAddress: required(operation, "ipAddress", p.ipAddress),
    vnicId: opt(p.vnicId),
    subnetId: required(operation, "subnetId", p.subnetId),
    isPrimary: p.isPrimary ?? false,
    // "The secondary IPv4 CIDR prefix length" (model/private-ip.d.ts): set only on an IP CIDR address.
    ...(typeof p.cidrPrefixLength === "number" ? { cidrPrefixLength: p.cidrPrefixLength } : {}),
    freeformTags: tags(p.freeformTags),
  };
}

export function toSubnetInfo(s: core.models.Subnet): SubnetInfo {
  const op = "ListSubnets";
  return {
    id: required(op, "id", s.id),
    vcnId: required(op, "vcnId", s.vcnId),
    compartmentId: required(op, "compartmentId", s.compartmentId),
    // "The subnet's availability domain. This attribute will be null if this is a regional subnet" (model/subnet.d.ts).
    availabilityDomain: opt(s.availabilityDomain) ?? null,
    // cidrBlock is optional in newer API versions, which list the ranges in ipv4CidrBlocks.
    cidrBlock: required(op, "cidrBlock", s.cidrBlock ?? s.ipv4CidrBlocks?.[0]),
    // "ipv4CidrBlocks: The list of all IPv4 CIDR blocks for the subnet" (model/subnet.d.ts); older answers have
    // only cidrBlock.
    cidrBlocks:
      s.ipv4CidrBlocks && s.ipv4CidrBlocks.length > 0
        ? [...s.ipv4CidrBlocks]
        : [required(op, "cidrBlock", s.cidrBlock)],
    virtualRouterIp: opt(s.virtualRouterIp),
    lifecycleState: required(op, "lifecycleState", s.lifecycleState),
    freeformTags: tags(s.freeformTags),
  };
}

export function toNsgInfo(n: core.models.NetworkSecurityGroup): NsgInfo {
  const op = "ListNetworkSecurityGroups";
  return { id: required(op, "id", n.id), vcnId: required(op, "vcnId", n.vcnId), freeformTags: tags(n.freeformTags) };
}

/**
 * Addresses a subnet's IP inventory says are assigned. One `IpInventorySubnetResourceSummary` per private-IP object
 * (`count` is "the number of results", model/ip-inventory-subnet-resource-collection.d.ts); an IP CIDR address is one
 * object whose `ipAddress` carries its length (`10.0.1.16/28`, "<network IP/netmask # of bits>", the IP CIDR
 * announcement), so it counts 2^(32 − n) addresses. Without entries, `count` is taken as it is. Undefined when the
 * answer has neither.
 */
export function inventoryAddresses(c: core.models.IpInventorySubnetResourceCollection | undefined): number | undefined {
  const entries = c?.ipInventorySubnetResourceSummary;
  if (!entries || entries.length === 0) return typeof c?.count === "number" && c.count >= 0 ? c.count : undefined;
  return entries.reduce((n, e) => {
    const prefix = Number((e.ipAddress ?? "").split("/")[1]);
    return n + (Number.isInteger(prefix) && prefix >= 0 && prefix <= 32 ? 2 ** (32 - prefix) : 1);
  }, 0);
}
