import { OciServiceError, incorrectState, invalidParameter, limitExceeded, missingParameter, relatedNotFound } from "../http/errors";
import { optTags } from "./compute";
import type { PrivateIpRec, Tags, VnicRec, WorkRequestRec } from "./types";
import { World } from "./world";

/**
 * Private IP behaviour (VirtualNetworkClient). Sources:
 * - CreatePrivateIp: "ipAddress: If you don't specify a value, Oracle automatically assigns"; "The VNIC and private IP
 *   must be in the same subnet" (core/lib/model/create-private-ip-details.ts). The emulator assigns the lowest free address.
 * - Secondary IPs per VNIC: 31 by default, configurable (docs say 31, 32 or 64: shared/reference/oci-facts.md §1.3).
 * - DeletePrivateIp: "Unassigns and deletes … returned to the subnet's pool … cannot be used with primary private IPs".
 * - BulkCreatePrivateIps: asynchronous, answers only `opc-work-request-id` (core/lib/client.ts).
 */

interface IpFields {
  ipAddress?: string;
  displayName?: string;
  hostnameLabel?: string;
  freeformTags?: Tags;
  definedTags?: Record<string, Record<string, unknown>>;
}

function readIpFields(item: Record<string, unknown>): IpFields {
  const str = (k: string): string | undefined => {
    const v = item[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw invalidParameter(`${k} must be a string`);
    return v;
  };
  return {
    ipAddress: str("ipAddress"),
    displayName: str("displayName"),
    hostnameLabel: str("hostnameLabel"),
    freeformTags: optTags(item, "freeformTags"),
    definedTags: item.definedTags as Record<string, Record<string, unknown>> | undefined,
  };
}

/** The VNIC a create names in its body, checked for existence and state. */
function usableVnic(world: World, details: Record<string, unknown>): VnicRec {
  if (details.vlanId !== undefined && details.vlanId !== null) throw invalidParameter("VLAN private IPs are not modelled by the emulator");
  const vnicId = details.vnicId;
  if (vnicId === undefined || vnicId === null) {
    if (details.subnetId) {
      throw invalidParameter("private IPs without a VNIC (subnetId only, lifetime RESERVED) are not modelled by the emulator; pass vnicId");
    }
    throw missingParameter("vnicId");
  }
  if (typeof vnicId !== "string") throw invalidParameter("vnicId must be a string");
  const vnic = world.vnics.get(vnicId);
  if (!vnic || vnic.lifecycleState === "TERMINATED") throw relatedNotFound(`VNIC ${vnicId}`);
  if (vnic.lifecycleState !== "AVAILABLE") throw incorrectState(`VNIC ${vnicId} is ${vnic.lifecycleState}`);
  if (details.subnetId !== undefined && details.subnetId !== null && details.subnetId !== vnic.subnetId) {
    throw invalidParameter("The VNIC and private IP must be in the same subnet");
  }
  return vnic;
}

export function secondaryCount(world: World, vnicId: string): number {
  return world.ipsOfVnic(vnicId).filter((p) => !p.isPrimary).length;
}

/**
 * Checks that `n` more secondary IPs fit on the VNIC. OCI documents no error code for a full VNIC; LimitExceeded
 * ("exceeds the Oracle-defined limit", apierrors.htm) is the closest documented one (README "Error codes").
 */
function checkVnicRoom(world: World, vnic: VnicRec, n: number): void {
  const have = secondaryCount(world, vnic.id);
  if (have + n > world.secondaryIpsPerVnic) {
    throw limitExceeded(
      `VNIC ${vnic.id} has ${have} secondary private IPs; the limit is ${world.secondaryIpsPerVnic} per VNIC`,
    );
  }
}

function createOne(world: World, vnic: VnicRec, fields: IpFields): PrivateIpRec {
  const subnet = world.subnets.get(vnic.subnetId)!;
  const ip = world.pickAddress(subnet, fields.ipAddress);
  const rec = world.makePrivateIp(vnic, subnet, ip, { isPrimary: false, ...fields });
  world.addPrivateIp(rec);
  return rec;
}

/** CreatePrivateIp (POST /privateIps). */
export function createPrivateIp(world: World, body: unknown): PrivateIpRec {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw missingParameter("createPrivateIpDetails");
  const details = body as Record<string, unknown>;
  const vnic = usableVnic(world, details);
  const fields = readIpFields(details);
  checkVnicRoom(world, vnic, 1);
  return createOne(world, vnic, fields);
}

/** DeletePrivateIp (DELETE /privateIps/{id}). Primary IPs: 400 InvalidParameter (emulator's choice of code). */
export function deletePrivateIp(world: World, id: string): void {
  const ip = World.mustExist(world.privateIps.get(id), id);
  if (ip.isPrimary) throw invalidParameter(`Private IP ${id} is a primary private IP and cannot be deleted`);
  const vnic = world.vnics.get(ip.vnicId);
  if (vnic && vnic.lifecycleState !== "AVAILABLE") throw incorrectState(`VNIC ${vnic.id} is ${vnic.lifecycleState}`);
  world.removePrivateIp(id);
}

/**
 * BulkCreatePrivateIps (POST /privateIps/actions/bulkCreatePrivateIps). Validates the VNIC now; creates the items
 * when the work request completes. All-or-nothing (the emulator's choice; OCI does not document partial success):
 * if any item cannot be created the work request FAILS with the error and no IP is created.
 */
export function bulkCreatePrivateIps(world: World, body: unknown): WorkRequestRec {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw missingParameter("bulkCreatePrivateIpsDetails");
  const details = body as Record<string, unknown>;
  const vnic = usableVnic(world, details);
  const items = details.bulkCreatePrivateIpItem;
  if (!Array.isArray(items) || items.length === 0) throw missingParameter("bulkCreatePrivateIpItem");
  const fields = items.map((item) => {
    if (item === null || typeof item !== "object") throw invalidParameter("each bulkCreatePrivateIpItem must be an object");
    return readIpFields(item as Record<string, unknown>);
  });
  const wr: WorkRequestRec = {
    id: world.ids.next("coreservicesworkrequest"),
    operationType: "BulkCreatePrivateIps",
    status: "ACCEPTED",
    compartmentId: vnic.compartmentId,
    resources: [],
    percentComplete: 0,
    timeAccepted: world.nowIso(),
    _errors: [],
  };
  world.workRequests.set(wr.id, wr);
  world.clock.schedule(world.latency.bulkWorkRequest / 10, () => {
    if (wr.status !== "ACCEPTED") return;
    wr.status = "IN_PROGRESS";
    wr.timeStarted = world.nowIso();
    wr.percentComplete = 10;
  });
  world.clock.schedule(world.latency.bulkWorkRequest, () => completeBulk(world, wr, vnic.id, fields));
  return wr;
}

function completeBulk(world: World, wr: WorkRequestRec, vnicId: string, fields: IpFields[]): void {
  wr.timeStarted ??= world.nowIso();
  const created: PrivateIpRec[] = [];
  try {
    const vnic = world.vnics.get(vnicId);
    if (!vnic || vnic.lifecycleState !== "AVAILABLE") throw incorrectState(`VNIC ${vnicId} is no longer AVAILABLE`);
    checkVnicRoom(world, vnic, fields.length);
    for (const f of fields) created.push(createOne(world, vnic, f));
    wr.status = "SUCCEEDED";
    wr.resources = created.map((p) => ({
      entityType: "privateip",
      actionType: "CREATED",
      identifier: p.id,
      entityUri: `/20160918/privateIps/${p.id}`,
    }));
  } catch (err) {
    for (const p of created) world.removePrivateIp(p.id);
    const e = err instanceof OciServiceError ? err : new OciServiceError(500, "InternalServerError", String(err));
    wr.status = "FAILED";
    wr._errors.push({ code: e.code, message: e.message, timestamp: world.nowIso() });
  }
  wr.percentComplete = 100;
  wr.timeFinished = world.nowIso();
}

/** GetSubnetIpInventory body (IpInventorySubnetResourceCollection, core/lib/model). */
export function subnetIpInventory(world: World, subnetId: string): Record<string, unknown> {
  const subnet = World.mustExist(world.subnets.get(subnetId), subnetId);
  const ips = [...world.usedAddresses(subnet.id).values()]
    .map((id) => world.privateIps.get(id)!)
    .sort((a, b) => a._int - b._int);
  return {
    compartmentId: subnet.compartmentId,
    count: ips.length,
    lastUpdatedTimestamp: world.nowIso(),
    message: "success",
    ipInventorySubnetResourceSummary: ips.map((p) => ({
      ipId: p.id,
      ipAddress: p.ipAddress,
      ipAddressLifetime: "Ephemeral",
      parentCidr: subnet.cidrBlock,
      assignedResourceName: p.displayName,
      assignedResourceType: "Resource",
      isPrimary: p.isPrimary,
      addressType: "Private_IPv4",
      assignedTime: p.timeCreated,
    })),
  };
}
