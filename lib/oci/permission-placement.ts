/**
 * Where OCI checks each permission the allocator needs: in the compartment of the resource the permission is about.
 * - Instances and VNIC attachments live in the instance's compartment (an attachment takes its instance's,
 *   `VnicAttachment.compartmentId`, oci-core lib/model/vnic-attachment.d.ts).
 * - A VNIC resides in its subnet's compartment, and so do its private IPs ("Each VNIC resides in a subnet",
 *   docs.oracle.com/iaas/Content/Network/Tasks/managingVNICs.htm; a VNIC's and a private IP's `compartmentId` is "the
 *   compartment containing" it, oci-core lib/model/vnic.d.ts, private-ip.d.ts, and OCI places it with the subnet);
 *   Oracle's write-up of OKE native pod networking with the network in its own compartment grants the VNIC and
 *   private-IP permissions there
 *   (blogs.oracle.com/cloud-infrastructure/post/oke-native-pod-networking-split-compartment).
 *   Subnets, their IP inventory and NSGs live in the network compartment. For AttachVnic, whose VNIC does not exist
 *   yet, VNIC_CREATE / VNIC_ATTACH are checked where the VNIC will live: the subnet's compartment (ASSUMED: the
 *   permission table does not say which compartment each permission of an operation is checked in).
 * - The Kubernetes token secret lives in the deployment compartment.
 * So an allocator whose instances and subnets are in different compartments needs the instance-side permissions in
 * every cluster compartment and the network-side ones in the network compartment, and nothing else anywhere.
 */

export type PermissionSide = "instance" | "network" | "secret";

const RULES: ReadonlyArray<readonly [RegExp, PermissionSide]> = [
  [/^INSTANCE_/, "instance"],
  [/^VNIC_ATTACHMENT_/, "instance"],
  [/^(VNIC_|PRIVATE_IP_|SUBNET_|IPAM_|NETWORK_SECURITY_GROUP_|VCN_)/, "network"],
  [/^SECRET_/, "secret"],
];

/** The side whose compartment a permission of the allocator is checked in; throws for a permission with no rule. */
export function permissionSide(permission: string): PermissionSide {
  for (const [re, side] of RULES) if (re.test(permission)) return side;
  throw new Error(`no compartment rule for permission ${permission} (lib/oci/permission-placement.ts)`);
}

/** Splits permissions by side, each list sorted. */
export function bySide(permissions: Iterable<string>): Record<PermissionSide, string[]> {
  const out: Record<PermissionSide, string[]> = { instance: [], network: [], secret: [] };
  for (const p of new Set(permissions)) out[permissionSide(p)].push(p);
  for (const side of Object.keys(out) as PermissionSide[]) out[side].sort();
  return out;
}
