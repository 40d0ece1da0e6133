import {
  OciServiceError,
  incorrectState,
  invalidParameter,
  limitExceeded,
  missingParameter,
  relatedNotFound,
} from "../http/errors";
import { optTags } from "./compute";
import { formatCidr, parseCidr, within } from "./cidr";
import type { PrivateIpRec, SubnetRec, Tags, VnicRec, WorkRequestRec } from "./types";
import { World } from "./world";

/**
 * Private IP behaviour (VirtualNetworkClient). Sources:
 * - CreatePrivateIp: "ipAddress: If you don't specify a value, Oracle automatically assigns"; "The VNIC and private IP
 *   must be in the same subnet" (core/lib/model/create-private-ip-details.ts). The emulator assigns the lowest free address.
 * - Secondary private-IP objects per VNIC: a tenancy limit, "up to 64" (Private IP Addresses,
 *   https://docs.oracle.com/iaas/Content/Network/Tasks/managingIPaddresses.htm; the service-limits page lists 64 for
 *   Universal Credits and 32 for Pay-As-You-Go/Trial); a world setting, default 64. An IP CIDR address is ONE object.
 * - IP CIDR addresses: `cidrPrefixLength` "when combined with the ipAddress field, will be used to allocate secondary
 *   IPv4 CIDRs" (create-private-ip-details.d.ts); sizes /18 (16,384 addresses) to /31
 *   (https://blogs.oracle.com/cloud-infrastructure/announcing-oci-ip-cidr-addresses-for-vnics; the Console offers
 *   /18–/31). Taking the first one from a subnet's first CIDR block puts the subnet in UPDATING for a while, and no
 *   IP can be created or deleted in it meanwhile (managingIPaddresses.htm).
 * - DeletePrivateIp: "Unassigns and deletes … returned to the subnet's pool … cannot be used with primary private IPs".
 * - BulkCreatePrivateIps: asynchronous, answers only `opc-work-request-id` (core/lib/client.ts).
 */

/** IPv4 IP CIDR address sizes OCI offers: /18 to /31 (see above). */
export const MIN_CIDR_PREFIX = 18;
export const MAX_CIDR_PREFIX = 31;

interface IpFields {
  ipAddress?: string;
  cidrPrefixLength?: number;
  ipv4SubnetCidrAtCreation?: string;
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
  const prefix = item.cidrPrefixLength;
  let cidrPrefixLength: number | undefined;
  if (prefix !== undefined && prefix !== null) {
    const inRange =
      typeof prefix === "number" && Number.isInteger(prefix) && prefix >= MIN_CIDR_PREFIX && prefix <= MAX_CIDR_PREFIX;
    if (!inRange) {
      const range = `${MIN_CIDR_PREFIX} to ${MAX_CIDR_PREFIX}`;
      throw invalidParameter(`cidrPrefixLength must be an integer from ${range}, not ${String(prefix)}`);
    }
    // "when combined with the ipAddress field": the caller chooses the block's first address.
    if (item.ipAddress === undefined || item.ipAddress === null) {
      throw missingParameter("ipAddress (required with cidrPrefixLength)");
    }
    cidrPrefixLength = prefix;
  }
  return {
    ipAddress: str("ipAddress"),
    cidrPrefixLength,
    ipv4SubnetCidrAtCreation: str("ipv4SubnetCidrAtCreation"),
    displayName: str("displayName"),
    hostnameLabel: str("hostnameLabel"),
    freeformTags: optTags(item, "freeformTags"),
    definedTags: item.definedTags as Record<string, Record<string, unknown>> | undefined,
  };
}

/** The VNIC a create names in its body, checked for existence and state. */
function usableVnic(world: World, details: Record<string, unknown>): VnicRec {
  if (details.vlanId !== undefined && details.vlanId !== null)
    throw invalidParameter("VLAN private IPs are not modelled by the emulator");
  const vnicId = details.vnicId;
  if (vnicId === undefined || vnicId === null) {
    if (details.subnetId) {
      throw invalidParameter(
        "private IPs without a VNIC (subnetId only, lifetime RESERVED) are not modelled by the emulator; pass vnicId",
      );
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

/**
 * While a subnet is UPDATING no private IP can be created or deleted in it (managingIPaddresses.htm). OCI documents
 * no code; 409 IncorrectState ("conflicts with its current state", transient) is the closest (README "Error codes").
 */
export function checkSubnetWritable(subnet: SubnetRec): void {
  if (subnet.lifecycleState !== "AVAILABLE") {
    throw incorrectState(
      `Subnet ${subnet.id} is ${subnet.lifecycleState}; private IPs cannot be created or deleted until it is AVAILABLE`,
    );
  }
}

/**
 * After an IP CIDR address was taken: if it is the first one in the subnet's FIRST CIDR block, the subnet is
 * UPDATING for `subnetUpdatingMs` (scaled by the clock), then AVAILABLE again.
 */
function enterUpdatingIfFirstCidr(world: World, subnet: SubnetRec, created: readonly PrivateIpRec[]): void {
  const first = parseCidr(subnet.ipv4CidrBlocks[0]);
  const inFirst = (p: PrivateIpRec) =>
    p.cidrPrefixLength !== undefined && within(first, { base: p._int, prefix: p.cidrPrefixLength, size: p._size });
  if (!created.some(inFirst)) return;
  const isNew = new Set(created.map((p) => p.id));
  const earlier = [...world.privateIps.values()].some(
    (p) => !isNew.has(p.id) && p.subnetId === subnet.id && inFirst(p),
  );
  if (earlier || world.subnetUpdatingMs <= 0) return;
  subnet.lifecycleState = "UPDATING";
  world.clock.schedule(world.subnetUpdatingMs, () => {
    subnet.lifecycleState = "AVAILABLE";
  });
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
  const { ipAddress, ipv4SubnetCidrAtCreation: fromBlock, ...rest } = fields;
  const ip =
    fields.cidrPrefixLength !== undefined
      ? world.pickBlock(subnet, ipAddress!, fields.cidrPrefixLength, fromBlock).base
      : world.pickAddress(subnet, ipAddress, fromBlock);
  const rec = world.makePrivateIp(vnic, subnet, ip, { isPrimary: false, ...rest });
  world.addPrivateIp(rec);
  return rec;
}

/** CreatePrivateIp (POST /privateIps). */
export function createPrivateIp(world: World, body: unknown): PrivateIpRec {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw missingParameter("createPrivateIpDetails");
  const details = body as Record<string, unknown>;
  const vnic = usableVnic(world, details);
  const fields = readIpFields(details);
  const subnet = world.subnets.get(vnic.subnetId)!;
  checkSubnetWritable(subnet);
  checkVnicRoom(world, vnic, 1);
  const rec = createOne(world, vnic, fields);
  enterUpdatingIfFirstCidr(world, subnet, [rec]);
  return rec;
}

/** DeletePrivateIp (DELETE /privateIps/{id}). Primary IPs: 400 InvalidParameter (emulator's choice of code). */
export function deletePrivateIp(world: World, id: string): void {
  const ip = World.mustExist(world.privateIps.get(id), id);
  if (ip.isPrimary) throw invalidParameter(`Private IP ${id} is a primary private IP and cannot be deleted`);
  const vnic = world.vnics.get(ip.vnicId);
  if (vnic && vnic.lifecycleState !== "AVAILABLE") throw incorrectState(`VNIC ${vnic.id} is ${vnic.lifecycleState}`);
  const subnet = world.subnets.get(ip.subnetId);
  if (subnet) checkSubnetWritable(subnet);
  world.removePrivateIp(id);
}

/**
 * BulkCreatePrivateIps (POST /privateIps/actions/bulkCreatePrivateIps). Validates the VNIC now; creates the items
 * when the work request completes. All-or-nothing (the emulator's choice; OCI does not document partial success):
 * if any item cannot be created the work request FAILS with the error and no IP is created.
 */
export function bulkCreatePrivateIps(world: World, body: unknown): WorkRequestRec {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw missingParameter("bulkCreatePrivateIpsDetails");
  const details = body as Record<string, unknown>;
  const vnic = usableVnic(world, details);
  const items = details.bulkCreatePrivateIpItem;
  if (!Array.isArray(items) || items.length === 0) throw missingParameter("bulkCreatePrivateIpItem");
  const fields = items.map((item) => {
    if (item === null || typeof item !== "object")
      throw invalidParameter("each bulkCreatePrivateIpItem must be an object");
    return readIpFields(item as Record<string, unknown>);
  });
  checkSubnetWritable(world.subnets.get(vnic.subnetId)!);
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
    if (vnic?.lifecycleState !== "AVAILABLE") throw incorrectState(`VNIC ${vnicId} is no longer AVAILABLE`);
    const subnet = world.subnets.get(vnic.subnetId)!;
    checkSubnetWritable(subnet);
    checkVnicRoom(world, vnic, fields.length);
    for (const f of fields) created.push(createOne(world, vnic, f));
    enterUpdatingIfFirstCidr(world, subnet, created);
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

/**
 * GetSubnetIpInventory body (IpInventorySubnetResourceCollection, core/lib/model): one
 * IpInventorySubnetResourceSummary per private-IP object, so `count` ("the number of results") counts objects.
 * The summary has no prefix field; an IP CIDR address appears as ONE entry whose `ipAddress` is the block in CIDR
 * notation (`10.0.1.16/28`: "a single private IP object with an additional CIDR length represented as <network
 * IP/netmask # of bits>", the IP CIDR announcement) — ASSUMED, README "Unconfirmed". `parentCidr` is the subnet
 * block the address comes from ("The address range the IP address is assigned from").
 */
export function subnetIpInventory(world: World, subnetId: string): Record<string, unknown> {
  const subnet = World.mustExist(world.subnets.get(subnetId), subnetId);
  const blocks = subnet.ipv4CidrBlocks.map((text) => ({ text, cidr: parseCidr(text) }));
  const ips = [...new Set(world.usedAddresses(subnet.id).values())]
    .map((id) => world.privateIps.get(id)!)
    .sort((a, b) => a._int - b._int);
  return {
    compartmentId: subnet.compartmentId,
    count: ips.length,
    lastUpdatedTimestamp: world.nowIso(),
    message: "success",
    ipInventorySubnetResourceSummary: ips.map((p) => ({
      ipId: p.id,
      ipAddress:
        p.cidrPrefixLength === undefined
          ? p.ipAddress
          : formatCidr({ base: p._int, prefix: p.cidrPrefixLength, size: p._size }),
      ipAddressLifetime: "Ephemeral",
      parentCidr: blocks.find((b) => within(b.cidr, { base: p._int, prefix: 32, size: 1 }))?.text ?? subnet.cidrBlock,
      assignedResourceName: p.displayName,
      assignedResourceType: "Resource",
      isPrimary: p.isPrimary,
      addressType: "Private_IPv4",
      assignedTime: p.timeCreated,
    })),
  };
}
