/**
 * Which permissions a `<verb> <resource-type>` pair grants, for the resource types this project's operations touch.
 * Verbs are cumulative (inspect ⊂ read ⊂ use ⊂ manage) as the OCI policy reference states
 * (https://docs.oracle.com/en-us/iaas/Content/Identity/Reference/policyreference.htm, "Verbs").
 *
 * Each entry lists only the permissions a verb adds over the verb below it, exactly like the reference tables
 * ("INSPECT +", "no extra"). Sources:
 * - Core: "Details for Verb + Resource-Type Combinations"
 *   https://docs.oracle.com/en-us/iaas/Content/Identity/policyreference/corepolicyreference_topic-Details_for_Verb__ResourceType_Combinations.htm
 *   (vcns, subnets and the VNIC/private-IP rows read from stored copies of that page)
 * - Streaming: https://docs.oracle.com/en-us/iaas/Content/Identity/Reference/streamingpolicyreference.htm
 * Rows marked ASSUMED are not confirmed by a stored copy (see lib/testbed/oci-emulator/README.md).
 */

export type Verb = "inspect" | "read" | "use" | "manage";
export const VERBS: readonly Verb[] = ["inspect", "read", "use", "manage"];

type Increments = Readonly<Record<Verb, readonly string[]>>;

const inc = (inspect: string[], read: string[], use: string[], manage: string[]): Increments => ({
  inspect,
  read,
  use,
  manage,
});

/** Individual resource types. */
export const RESOURCE_TYPE_PERMISSIONS: Readonly<Record<string, Increments>> = {
  // vcns: inspect VCN_READ; read/use no extra; manage + ATTACH/DETACH/UPDATE/CREATE/DELETE/MOVE.
  vcns: inc(["VCN_READ"], [], [], ["VCN_ATTACH", "VCN_DETACH", "VCN_UPDATE", "VCN_CREATE", "VCN_DELETE", "VCN_MOVE"]),
  // subnets: inspect SUBNET_READ; read no extra; use + SUBNET_ATTACH, SUBNET_DETACH; manage +
  // CREATE/UPDATE/DELETE/MOVE.
  subnets: inc(
    ["SUBNET_READ"],
    [],
    ["SUBNET_ATTACH", "SUBNET_DETACH"],
    ["SUBNET_CREATE", "SUBNET_UPDATE", "SUBNET_DELETE", "SUBNET_MOVE"],
  ),
  // ASSUMED (names from the AttachVnic row of CORE-OPS, split by verb as the reference does for other types).
  "network-security-groups": inc(
    ["NETWORK_SECURITY_GROUP_INSPECT"],
    ["NETWORK_SECURITY_GROUP_READ"],
    ["NETWORK_SECURITY_GROUP_UPDATE_MEMBERS"],
    [
      "NETWORK_SECURITY_GROUP_UPDATE",
      "NETWORK_SECURITY_GROUP_CREATE",
      "NETWORK_SECURITY_GROUP_DELETE",
      "NETWORK_SECURITY_GROUP_MOVE",
    ],
  ),
  // private-ips: inspect PRIVATE_IP_READ; use + the assign/create/delete set (CreatePrivateIp needs only `use
  // private-ips`).
  "private-ips": inc(
    ["PRIVATE_IP_READ"],
    [],
    [
      "PRIVATE_IP_UPDATE",
      "PRIVATE_IP_ASSIGN",
      "PRIVATE_IP_UNASSIGN",
      "PRIVATE_IP_CREATE",
      "PRIVATE_IP_DELETE",
      "PRIVATE_IP_ASSIGN_PUBLIC_IP",
      "PRIVATE_IP_UNASSIGN_PUBLIC_IP",
    ],
    [],
  ),
  // vnics: inspect VNIC_READ; use + attach/detach/create/delete/assign/unassign/NSG association.
  vnics: inc(
    ["VNIC_READ"],
    [],
    [
      "VNIC_ATTACH",
      "VNIC_DETACH",
      "VNIC_UPDATE",
      "VNIC_CREATE",
      "VNIC_DELETE",
      "VNIC_ASSIGN",
      "VNIC_UNASSIGN",
      "VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP",
      "VNIC_DISASSOCIATE_NETWORK_SECURITY_GROUP",
    ],
    [],
  ),
  // "vnic-attachments has only VNIC_ATTACHMENT_READ at every verb" (Core reference above).
  "vnic-attachments": inc(["VNIC_ATTACHMENT_READ"], [], [], []),
  // ipam: inspect IPAM_READ (GetSubnetIpInventory).
  ipam: inc(["IPAM_READ"], [], [], []),
  // instances: INSTANCE_ATTACH/DETACH_SECONDARY_VNIC exist only at manage (Core reference above).
  instances: inc(
    ["INSTANCE_INSPECT"],
    ["INSTANCE_READ"],
    [
      "INSTANCE_UPDATE",
      "INSTANCE_CREATE_IMAGE",
      "INSTANCE_POWER_ACTIONS",
      "INSTANCE_ATTACH_VOLUME",
      "INSTANCE_DETACH_VOLUME",
    ],
    [
      "INSTANCE_CREATE",
      "INSTANCE_DELETE",
      "INSTANCE_ATTACH_SECONDARY_VNIC",
      "INSTANCE_DETACH_SECONDARY_VNIC",
      "INSTANCE_MOVE",
    ],
  ),
  // ASSUMED: work-requests (compute "Additional Individual Resource-Types").
  "work-requests": inc(["WORKREQUEST_INSPECT"], [], [], []),
  // Streaming: streams / stream-pull / stream-push exactly as [STREAM].
  streams: inc(
    ["STREAM_INSPECT"],
    ["STREAM_READ"],
    ["STREAM_UPDATE", "STREAM_MOVE", "STREAM_PRODUCE", "STREAM_CONSUME"],
    ["STREAM_CREATE", "STREAM_DELETE"],
  ),
  "stream-pull": inc([], [], ["STREAM_CONSUME"], []),
  "stream-push": inc([], [], ["STREAM_PRODUCE"], []),
};

/**
 * Aggregate ("family") types: the union of their members, plus the extras the reference lists for the family itself.
 * instance-family "includes extra permissions beyond the sum of the permissions for the individual resource-types …
 * a few permissions for vnics" (corepolicyreference.htm); AttachVnic's policy row says "use vnics OR use
 * instance-family",
 * so `use instance-family` must carry VNIC_ATTACH and VNIC_CREATE (and DetachVnic's VNIC_DETACH, VNIC_DELETE).
 * The exact split of those extras across verbs is ASSUMED.
 */
export const FAMILY_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  "virtual-network-family": [
    "vcns",
    "subnets",
    "network-security-groups",
    "private-ips",
    "vnics",
    "vnic-attachments",
    "ipam",
  ],
  "instance-family": ["instances"],
  "stream-family": ["streams", "stream-pull", "stream-push"],
};

const FAMILY_EXTRAS: Readonly<Record<string, Increments>> = {
  "instance-family": inc(
    ["VNIC_ATTACHMENT_READ"],
    ["VNIC_READ"],
    ["VNIC_ATTACH", "VNIC_DETACH", "VNIC_CREATE", "VNIC_DELETE"],
    [],
  ),
};

/** Every resource type name the parser accepts (individual, family, and `all-resources`). */
export function knownResourceTypes(): string[] {
  return [...Object.keys(RESOURCE_TYPE_PERMISSIONS), ...Object.keys(FAMILY_MEMBERS), "all-resources"];
}

function cumulative(increments: Increments, verb: Verb): string[] {
  const out: string[] = [];
  for (const v of VERBS) {
    out.push(...increments[v]);
    if (v === verb) break;
  }
  return out;
}

/**
 * The set of permissions `<verb> <resourceType>` grants. Returns an empty set for an unknown type (a statement about a
 * resource type this table does not model grants none of the permissions our operations need).
 */
export function permissionsGranted(verb: Verb, resourceType: string): Set<string> {
  const type = resourceType.toLowerCase();
  if (type === "all-resources") {
    const all = new Set<string>();
    for (const t of Object.keys(RESOURCE_TYPE_PERMISSIONS))
      for (const p of cumulative(RESOURCE_TYPE_PERMISSIONS[t], verb)) all.add(p);
    for (const f of Object.keys(FAMILY_EXTRAS)) for (const p of cumulative(FAMILY_EXTRAS[f], verb)) all.add(p);
    return all;
  }
  const members = FAMILY_MEMBERS[type];
  if (members) {
    const set = new Set<string>();
    for (const m of members) for (const p of cumulative(RESOURCE_TYPE_PERMISSIONS[m], verb)) set.add(p);
    const extras = FAMILY_EXTRAS[type];
    if (extras) for (const p of cumulative(extras, verb)) set.add(p);
    return set;
  }
  const own = RESOURCE_TYPE_PERMISSIONS[type];
  return new Set(own ? cumulative(own, verb) : []);
}
