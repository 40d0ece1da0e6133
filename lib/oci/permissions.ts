/**
 * The one table of "OCI API operation → IAM permissions it requires". The OCI emulator enforces it, and the
 * Terraform policy-coverage test checks the project's shipped policy statements against it, so the two cannot drift.
 *
 * Sources (cited per row below):
 * - [CORE-OPS] Core Services policy reference, "Permissions Required for Each API Operation"
 *   https://docs.oracle.com/en-us/iaas/Content/Identity/Reference/corepolicyreference.htm
 * - [STREAM] Streaming policy reference, same section
 *   https://docs.oracle.com/en-us/iaas/Content/Identity/Reference/streamingpolicyreference.htm
 * Rows marked ASSUMED could not be confirmed in a stored copy of the docs; they are the closest reading and are
 * listed in lib/testbed/oci-emulator/README.md.
 */

/** Operation names as OCI spells them (the `operationName` in API reference links, capitalised). */
export type OciOperation =
  | "GetInstance"
  | "ListInstances"
  | "ListShapes"
  | "AttachVnic"
  | "DetachVnic"
  | "GetVnicAttachment"
  | "ListVnicAttachments"
  | "GetVnic"
  | "UpdateVnic"
  | "CreatePrivateIp"
  | "GetPrivateIp"
  | "ListPrivateIps"
  | "DeletePrivateIp"
  | "UpdatePrivateIp"
  | "BulkCreatePrivateIps"
  | "GetSubnet"
  | "ListSubnets"
  | "GetSubnetIpInventory"
  | "ListNetworkSecurityGroups"
  | "GetVcn"
  | "GetWorkRequest"
  | "ListWorkRequestErrors"
  | "PutMessages"
  | "CreateCursor"
  | "GetMessages"
  | "GetSecretBundle";

/**
 * Extra permissions an AttachVnic needs when `createVnicDetails.nsgIds` is non-empty, and an UpdateVnic when it
 * changes the VNIC's NSGs [CORE-OPS].
 */
export const ATTACH_VNIC_NSG_PERMISSIONS: readonly string[] = [
  "NETWORK_SECURITY_GROUP_UPDATE_MEMBERS",
  "VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP",
];

export const OPERATION_PERMISSIONS: Readonly<Record<OciOperation, readonly string[]>> = {
  // [CORE-OPS] GetInstance / ListInstances: INSTANCE_READ.
  GetInstance: ["INSTANCE_READ"],
  ListInstances: ["INSTANCE_READ"],
  // ASSUMED: ListShapes is listed with INSTANCE_INSPECT in the compute table of [CORE-OPS] copies we could not read
  // whole.
  ListShapes: ["INSTANCE_INSPECT"],
  // [CORE-OPS] AttachVnic: INSTANCE_ATTACH_SECONDARY_VNIC, VNIC_ATTACH, VNIC_CREATE, SUBNET_ATTACH (+ NSG ones, see
  // above).
  AttachVnic: ["INSTANCE_ATTACH_SECONDARY_VNIC", "VNIC_ATTACH", "VNIC_CREATE", "SUBNET_ATTACH"],
  // [CORE-OPS] DetachVnic: INSTANCE_DETACH_SECONDARY_VNIC, VNIC_DETACH, VNIC_DELETE, SUBNET_DETACH.
  DetachVnic: ["INSTANCE_DETACH_SECONDARY_VNIC", "VNIC_DETACH", "VNIC_DELETE", "SUBNET_DETACH"],
  // [CORE-OPS] GetVnicAttachment: VNIC_ATTACHMENT_READ; ListVnicAttachments: VNIC_ATTACHMENT_READ + INSTANCE_INSPECT.
  GetVnicAttachment: ["VNIC_ATTACHMENT_READ"],
  ListVnicAttachments: ["VNIC_ATTACHMENT_READ", "INSTANCE_INSPECT"],
  // [CORE-OPS] GetVnic: VNIC_READ.
  GetVnic: ["VNIC_READ"],
  // [CORE-OPS] UpdateVnic: VNIC_UPDATE (+ the NSG pair when nsgIds change, which a tag-only update never does).
  UpdateVnic: ["VNIC_UPDATE"],
  // [CORE-OPS] CreatePrivateIp: PRIVATE_IP_CREATE, PRIVATE_IP_ASSIGN, VNIC_ASSIGN, SUBNET_ATTACH.
  CreatePrivateIp: ["PRIVATE_IP_CREATE", "PRIVATE_IP_ASSIGN", "VNIC_ASSIGN", "SUBNET_ATTACH"],
  // [CORE-OPS] GetPrivateIp / ListPrivateIps: PRIVATE_IP_READ.
  GetPrivateIp: ["PRIVATE_IP_READ"],
  ListPrivateIps: ["PRIVATE_IP_READ"],
  // [CORE-OPS] DeletePrivateIp: PRIVATE_IP_DELETE, PRIVATE_IP_UNASSIGN, VNIC_UNASSIGN, SUBNET_DETACH.
  DeletePrivateIp: ["PRIVATE_IP_DELETE", "PRIVATE_IP_UNASSIGN", "VNIC_UNASSIGN", "SUBNET_DETACH"],
  // [CORE-OPS] UpdatePrivateIp: "PRIVATE_IP_UPDATE and VNIC_ASSIGN and VNIC_UNASSIGN" (the private-ips verb table
  // says UpdatePrivateIp "also needs use vnics"): listed without a condition, so required even for a tag-only update.
  UpdatePrivateIp: ["PRIVATE_IP_UPDATE", "VNIC_ASSIGN", "VNIC_UNASSIGN"],
  // ASSUMED: the bulk form needs what CreatePrivateIp needs (the bulk operation is newer than the stored docs).
  BulkCreatePrivateIps: ["PRIVATE_IP_CREATE", "PRIVATE_IP_ASSIGN", "VNIC_ASSIGN", "SUBNET_ATTACH"],
  // [CORE-OPS] GetSubnet / ListSubnets: SUBNET_READ.
  GetSubnet: ["SUBNET_READ"],
  ListSubnets: ["SUBNET_READ"],
  // [CORE-OPS] GetSubnetIpInventory: IPAM_READ (resource type `ipam`).
  GetSubnetIpInventory: ["IPAM_READ"],
  // [CORE-OPS] ListNetworkSecurityGroups: NETWORK_SECURITY_GROUP_READ (`read network-security-groups`).
  ListNetworkSecurityGroups: ["NETWORK_SECURITY_GROUP_READ"],
  // [CORE-OPS] (vcns table): GetVcn is covered by inspect vcns = VCN_READ.
  GetVcn: ["VCN_READ"],
  // [CORE-OPS] "Work Requests API Operations": GetWorkRequest and ListWorkRequestErrors "inherit the permissions of
  // the operation that spawns the work request. Generally, <RESOURCE>_CREATE permissions for the associated resource
  // are required." No permission of their own: see WORK_REQUEST_INHERITS for what is checked instead.
  GetWorkRequest: [],
  ListWorkRequestErrors: [],
  // [STREAM] PutMessages: STREAM_PRODUCE; CreateCursor / GetMessages: STREAM_CONSUME.
  PutMessages: ["STREAM_PRODUCE"],
  CreateCursor: ["STREAM_CONSUME"],
  GetMessages: ["STREAM_CONSUME"],
  // Vault service policy reference: GetSecretBundle needs SECRET_BUNDLE_READ (`read secret-bundles`).
  GetSecretBundle: ["SECRET_BUNDLE_READ"],
};

/**
 * What reading a work request needs, by the operation that spawned it (`WorkRequest.operationType`): the spawning
 * operation's <RESOURCE>_CREATE, checked in the work request's compartment [CORE-OPS, "Work Requests API Operations"].
 */
export const WORK_REQUEST_INHERITS: Readonly<Record<string, readonly string[]>> = {
  BulkCreatePrivateIps: ["PRIVATE_IP_CREATE"],
};

/** The permissions GetWorkRequest / ListWorkRequestErrors check for a work request of `operationType`. */
export function workRequestPermissions(operationType: string): string[] {
  return [...(WORK_REQUEST_INHERITS[operationType] ?? [])];
}

/**
 * The permissions one call of `operation` needs. Only AttachVnic and UpdateVnic vary with their input (NSG membership).
 * Callers: the emulator's authorisation step and the policy-coverage test.
 */
export function permissionsFor(operation: OciOperation, input: { nsgIds?: readonly string[] } = {}): string[] {
  const base = [...OPERATION_PERMISSIONS[operation]];
  const withNsgs = operation === "AttachVnic" || operation === "UpdateVnic";
  if (withNsgs && input.nsgIds && input.nsgIds.length > 0) base.push(...ATTACH_VNIC_NSG_PERMISSIONS);
  return base;
}
