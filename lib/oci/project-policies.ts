import { bySide } from "./permission-placement";
import { ATTACH_VNIC_NSG_PERMISSIONS, OPERATION_PERMISSIONS, type OciOperation } from "./permissions";

/**
 * The OCI operations each of the project's components calls. With the operation → permission table this gives the
 * exact permissions to grant: the local runs and tests enforce these statements in the OCI emulator, and the
 * Terraform policy-coverage test checks the shipped policies grant the same set.
 */
export const COMPONENT_OPERATIONS = {
  /**
   * The allocator function (lib/reconcile and lib/collect through lib/adapters/oci, and its Kubernetes token from OCI
   * Vault). DetachVnic is leak collection's: allocator-tagged secondary VNICs of instances no longer in the cluster.
   * UpdatePrivateIp / UpdateVnic re-tag the IPs and VNICs a prewarm created when the node adopts them.
   */
  allocator: [
    "GetInstance",
    "ListVnicAttachments",
    "GetVnicAttachment",
    "AttachVnic",
    "DetachVnic",
    "GetVnic",
    "ListPrivateIps",
    "CreatePrivateIp",
    "DeletePrivateIp",
    "UpdatePrivateIp",
    "UpdateVnic",
    "BulkCreatePrivateIps",
    "GetWorkRequest",
    "ListWorkRequestErrors",
    "ListSubnets",
    "GetSubnetIpInventory",
    "ListNetworkSecurityGroups",
    "GetSecretBundle",
  ],
  /** The in-cluster watcher: publishes nudges. */
  watcher: ["PutMessages"],
  /** What Connector Hub does with its own identity (the local stand-in uses the same). */
  connector: ["CreateCursor", "GetMessages"],
} as const satisfies Record<string, readonly OciOperation[]>;

export type Component = keyof typeof COMPONENT_OPERATIONS;

/** Every permission a component needs (AttachVnic with NSGs included for the allocator), sorted. */
export function componentPermissions(component: Component): string[] {
  const perms = new Set<string>();
  for (const op of COMPONENT_OPERATIONS[component] as readonly OciOperation[])
    for (const p of OPERATION_PERMISSIONS[op]) perms.add(p);
  if ((COMPONENT_OPERATIONS[component] as readonly OciOperation[]).includes("AttachVnic"))
    for (const p of ATTACH_VNIC_NSG_PERMISSIONS) perms.add(p);
  return [...perms].sort();
}

/**
 * Permission-list statements granting a dynamic group exactly a component's permissions in each compartment given
 * (permission lists avoid verbs that grant more, e.g. `manage instances` for INSTANCE_ATTACH_SECONDARY_VNIC).
 * Right for the watcher and the connector, and for the allocator only when instances, subnets and the token secret
 * share one compartment; otherwise use `allocatorStatements`, which grants each permission where OCI checks it.
 */
export function componentStatements(
  component: Component,
  dynamicGroup: string,
  compartmentIds: readonly string[],
): string[] {
  const list = componentPermissions(component).join(", ");
  return [...new Set(compartmentIds)].map(
    (id) => `Allow dynamic-group ${dynamicGroup} to {${list}} in compartment id ${id}`,
  );
}

/** Where the allocator's resources live (compartment OCIDs). */
export interface AllocatorCompartments {
  /** Compartments of the cluster's instances (and so of their VNIC attachments). */
  instanceCompartmentIds: readonly string[];
  /** Compartment of the VCN's subnets and NSGs (and so of the VNICs and private IPs in them). */
  networkCompartmentId: string;
  /** Compartment of the Kubernetes token secret. */
  secretCompartmentId: string;
}

/**
 * The allocator's statements by where OCI checks each permission (lib/oci/permission-placement.ts): instance-side
 * permissions in every instance compartment, network-side ones in the network compartment, the secret's in its
 * compartment. A compartment that is several of these gets one statement per side.
 */
export function allocatorStatements(dynamicGroup: string, where: AllocatorCompartments): string[] {
  const sides = bySide(componentPermissions("allocator"));
  const statement = (perms: string[], id: string) =>
    `Allow dynamic-group ${dynamicGroup} to {${perms.join(", ")}} in compartment id ${id}`;
  return [
    ...[...new Set(where.instanceCompartmentIds)].map((id) => statement(sides.instance, id)),
    statement(sides.network, where.networkCompartmentId),
    statement(sides.secret, where.secretCompartmentId),
  ];
}
