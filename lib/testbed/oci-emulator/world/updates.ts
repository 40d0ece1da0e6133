import { incorrectState, invalidParameter, missingParameter, notFound, relatedNotFound } from "../http/errors";
import { MAX_NSGS_PER_VNIC, optTags } from "./compute";
import type { DefinedTags, PrivateIpRec, VnicRec } from "./types";
import type { World } from "./world";

/**
 * UpdatePrivateIp (PUT /privateIps/{id}) and UpdateVnic (PUT /vnics/{id}). Sources:
 * - Fields: oci-core 2.139.1 lib/model/update-private-ip-details.d.ts (definedTags, displayName, freeformTags,
 *   hostnameLabel, vnicId, lifetime, routeTableId) and update-vnic-details.d.ts (definedTags, displayName,
 *   freeformTags, securityAttributes, hostnameLabel, nsgIds, skipSourceDestCheck, routeTableId). A field the model
 *   does not have answers 400 InvalidParameter naming it (OCI rejects unknown body fields).
 * - Tags: "Free-form tags for this resource" — an update carries the complete map and replaces the stored one
 *   (PUT semantics; fields absent from the body are left unchanged).
 * - UpdatePrivateIp "cannot be used with primary private IPs. To update the hostname for the primary IP on a VNIC,
 *   use UpdateVnic" (ComputeClient / VirtualNetworkClient.updatePrivateIp doc, oci-core lib/client.d.ts).
 * - UpdateVnic nsgIds: "replaces the VNIC's current set of NSGs"; an empty list removes the VNIC from all NSGs.
 */

const PRIVATE_IP_FIELDS = [
  "definedTags",
  "displayName",
  "freeformTags",
  "hostnameLabel",
  "vnicId",
  "lifetime",
  "routeTableId",
];
const VNIC_FIELDS = [
  "definedTags",
  "displayName",
  "freeformTags",
  "securityAttributes",
  "hostnameLabel",
  "nsgIds",
  "skipSourceDestCheck",
  "routeTableId",
];

function details(body: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw missingParameter(name);
  const d = body as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!known.includes(key)) throw invalidParameter(`${name} has no field "${key}"`);
  }
  return d;
}

function optString(d: Record<string, unknown>, key: string): string | undefined {
  const v = d[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidParameter(`${key} must be a string`);
  return v;
}

function optDefinedTags(d: Record<string, unknown>): DefinedTags | undefined {
  const v = d.definedTags;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw invalidParameter("definedTags must be a map of namespaces");
  return structuredClone(v as DefinedTags);
}

/** Fields the emulator does not model: accepted only when they would change nothing. */
function refuseUnmodelled(d: Record<string, unknown>, keys: readonly string[], what: string): void {
  for (const key of keys) {
    if (d[key] !== undefined && d[key] !== null)
      throw invalidParameter(`${what}.${key} is not modelled by the emulator`);
  }
}

/** UpdatePrivateIp: changes tags, display name, hostname label of a secondary private IP. */
export function updatePrivateIp(world: World, id: string, body: unknown): PrivateIpRec {
  const ip = world.privateIps.get(id);
  if (!ip) throw notFound(`PrivateIp ${id}`);
  const d = details(body, "updatePrivateIpDetails", PRIVATE_IP_FIELDS);
  if (ip.isPrimary) throw invalidParameter(`Private IP ${id} is a primary private IP; update it through UpdateVnic`);
  const vnicId = optString(d, "vnicId");
  if (vnicId !== undefined && vnicId !== ip.vnicId) {
    // Moving an IP between VNICs is an OCI feature the allocator never uses.
    throw invalidParameter("moving a private IP to another VNIC is not modelled by the emulator");
  }
  if (d.lifetime !== undefined && d.lifetime !== null && d.lifetime !== "EPHEMERAL") {
    throw invalidParameter("lifetime RESERVED is not modelled by the emulator");
  }
  refuseUnmodelled(d, ["routeTableId"], "updatePrivateIpDetails");
  const vnic = world.vnics.get(ip.vnicId);
  if (vnic && vnic.lifecycleState !== "AVAILABLE") throw incorrectState(`VNIC ${vnic.id} is ${vnic.lifecycleState}`);

  const freeformTags = optTags(d, "freeformTags");
  const definedTags = optDefinedTags(d);
  const displayName = optString(d, "displayName");
  const hostnameLabel = optString(d, "hostnameLabel");
  if (freeformTags !== undefined) ip.freeformTags = freeformTags;
  if (definedTags !== undefined) ip.definedTags = definedTags;
  if (displayName !== undefined) ip.displayName = displayName;
  if (hostnameLabel !== undefined) ip.hostnameLabel = hostnameLabel;
  return ip;
}

/** The NSG ids an UpdateVnic body names, validated as AttachVnic validates them; undefined when absent. */
export function updateVnicNsgIds(world: World, vnic: VnicRec, body: unknown): string[] | undefined {
  const raw = (body as { nsgIds?: unknown } | null | undefined)?.nsgIds;
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || raw.some((n) => typeof n !== "string"))
    throw invalidParameter("nsgIds must be a list of OCIDs");
  const ids = [...new Set(raw as string[])];
  if (ids.length > MAX_NSGS_PER_VNIC) throw invalidParameter(`A VNIC can be in at most ${MAX_NSGS_PER_VNIC} NSGs`);
  const subnet = world.subnets.get(vnic.subnetId);
  for (const id of ids) {
    const nsg = world.nsgs.get(id);
    if (!nsg) throw relatedNotFound(`Network security group ${id}`);
    if (subnet && nsg.vcnId !== subnet.vcnId)
      throw invalidParameter(`Network security group ${id} is not in the VNIC's VCN`);
  }
  return ids;
}

/** UpdateVnic: tags, display name, hostname label (kept on the primary IP too), NSGs, skipSourceDestCheck. */
export function updateVnic(world: World, id: string, body: unknown): VnicRec {
  const vnic = world.vnics.get(id);
  if (!vnic || vnic.lifecycleState === "TERMINATED") throw notFound(`Vnic ${id}`);
  const d = details(body, "updateVnicDetails", VNIC_FIELDS);
  refuseUnmodelled(d, ["securityAttributes", "routeTableId"], "updateVnicDetails");
  if (vnic.lifecycleState !== "AVAILABLE") throw incorrectState(`VNIC ${vnic.id} is ${vnic.lifecycleState}`);
  const skip = d.skipSourceDestCheck;
  if (skip !== undefined && skip !== null && typeof skip !== "boolean")
    throw invalidParameter("skipSourceDestCheck must be a boolean");

  const nsgIds = updateVnicNsgIds(world, vnic, d);
  const freeformTags = optTags(d, "freeformTags");
  const definedTags = optDefinedTags(d);
  const displayName = optString(d, "displayName");
  const hostnameLabel = optString(d, "hostnameLabel");
  if (freeformTags !== undefined) vnic.freeformTags = freeformTags;
  if (definedTags !== undefined) vnic.definedTags = definedTags;
  if (displayName !== undefined) vnic.displayName = displayName;
  if (nsgIds !== undefined) vnic.nsgIds = nsgIds;
  if (typeof skip === "boolean") vnic.skipSourceDestCheck = skip;
  if (hostnameLabel !== undefined) {
    vnic.hostnameLabel = hostnameLabel;
    const primary = world.primaryIpOf(vnic.id);
    if (primary) primary.hostnameLabel = hostnameLabel;
  }
  return vnic;
}
