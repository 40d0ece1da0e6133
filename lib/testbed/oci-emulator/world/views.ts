import type {
  InstanceRec,
  NsgRec,
  PrivateIpRec,
  StreamRec,
  SubnetRec,
  VcnRec,
  VnicAttachmentRec,
  VnicRec,
  WorkRequestRec,
} from "./types";

/**
 * The JSON bodies the real API returns for each record (field names from oci-core / oci-workrequests / oci-streaming
 * model .d.ts files). Internal `_` fields are dropped; `timeCreated` stays an ISO string (the SDK keeps it a string).
 */

function strip<T extends object>(rec: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) if (!k.startsWith("_")) out[k] = structuredClone(v);
  return out;
}

export function instanceView(i: InstanceRec): Record<string, unknown> {
  return { ...strip(i), definedTags: {}, metadata: {}, extendedMetadata: {}, launchMode: "PARAVIRTUALIZED" };
}

export function vcnView(v: VcnRec): Record<string, unknown> {
  return { ...strip(v), cidrBlocks: [v.cidrBlock], definedTags: {} };
}

export function subnetView(s: SubnetRec): Record<string, unknown> {
  return { ...strip(s), ipv4CidrBlocks: [...s.ipv4CidrBlocks], definedTags: {} };
}

export function nsgView(n: NsgRec): Record<string, unknown> {
  return { ...strip(n), definedTags: {} };
}

export function vnicView(v: VnicRec, primaryIp: string | undefined): Record<string, unknown> {
  // publicIp is not modelled (always absent); privateIp is the VNIC's primary private IP address.
  return { ...strip(v), privateIp: primaryIp ?? null, ipv6Addresses: [] };
}

export function attachmentView(a: VnicAttachmentRec): Record<string, unknown> {
  // "vnicId: The OCID of the VNIC. Available after the attachment process is complete." (vnic-attachment.ts)
  return {
    ...strip(a),
    vnicId: a.lifecycleState === "ATTACHED" || a.lifecycleState === "DETACHING" ? a._vnicId : null,
  };
}

export function privateIpView(p: PrivateIpRec): Record<string, unknown> {
  return { ...strip(p), lifetime: "EPHEMERAL", ipState: "ASSIGNED" };
}

export function workRequestView(w: WorkRequestRec): Record<string, unknown> {
  return strip(w);
}

export function streamView(s: StreamRec, messagesEndpoint: string): Record<string, unknown> {
  return { ...strip(s), messagesEndpoint, definedTags: {} };
}
