# Dynamic groups and policies. Each statement grants exactly the permissions of the OCI operations the code calls
# (lib/oci/permissions.ts, the table the OCI emulator enforces); test/deploy/policy-coverage.test.ts checks that
# nothing is missing and nothing extra is granted. Where a verb would grant more than needed, a permission list is
# used instead (e.g. INSTANCE_ATTACH_SECONDARY_VNIC exists only under `manage instances`, which would also allow
# creating, terminating and moving instances).
# Permissions per operation: docs.oracle.com/iaas/Content/Identity/Reference/corepolicyreference.htm ("Permissions
# Required for Each API Operation"); verbs: the same page, "Details for Verb + Resource-Type Combinations".

# --- Principals ----------------------------------------------------------------------------------------------------

# The allocator function alone, by OCID (resource principal).
resource "oci_identity_dynamic_group" "allocator" {
  provider = oci.home

  compartment_id = var.tenancy_ocid
  name           = "${local.name}-allocator"
  description    = "cilium-oci-ipam allocator function of ${var.cluster_name}"
  matching_rule  = "ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.allocator.id}'}"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
}

# The worker instances the watcher may run on: it signs with the node's instance principal
# (OCIPAM_WATCHER_OCI_AUTH=instance_principal, events/watcher/oci-auth.ts). Every pod on those nodes could use the
# grant below, which is why it is limited to publishing to the one nudge stream.
resource "oci_identity_dynamic_group" "watcher" {
  provider = oci.home

  compartment_id = var.tenancy_ocid
  name           = "${local.name}-watcher"
  description    = "Worker instances running the cilium-oci-ipam watcher of ${var.cluster_name}"
  matching_rule  = "ANY {${join(", ", [for c in local.watcher_instance_compartments : "instance.compartment.id = '${c}'"])}}"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
}

# --- Allocator -----------------------------------------------------------------------------------------------------

# Each permission is granted in the compartment of the resource OCI checks it on (lib/oci/permission-placement.ts):
# instances and their VNIC attachments live in the instance's compartment; a VNIC lives in its SUBNET's compartment,
# and so do its private IPs; subnets, their IP inventory and NSGs in the network compartment. Granting VNIC or
# private-IP permissions in the cluster compartments would fail as soon as the subnets live elsewhere.

# In each cluster compartment: the instances and their VNIC attachments.
#   GetInstance                INSTANCE_READ                          (read instances = INSTANCE_INSPECT + INSTANCE_READ)
#   ListVnicAttachments        VNIC_ATTACHMENT_READ + INSTANCE_INSPECT
#   GetVnicAttachment          VNIC_ATTACHMENT_READ                   (inspect vnic-attachments)
#   AttachVnic                 INSTANCE_ATTACH_SECONDARY_VNIC         (+ VNIC_* and SUBNET_ATTACH, network below)
#   DetachVnic                 INSTANCE_DETACH_SECONDARY_VNIC         (+ VNIC_DETACH, VNIC_DELETE, SUBNET_DETACH, network
#                              below): leak collection detaches allocator-tagged VNICs of running instances that are
#                              no longer nodes
# Both INSTANCE_*_SECONDARY_VNIC permissions exist only under `manage instances`, which would also allow launching,
# terminating and moving instances: they are granted as a permission list. The allocator never updates instances.
resource "oci_identity_policy" "allocator_instances" {
  provider = oci.home
  for_each = toset(var.cluster_compartment_ids)

  compartment_id = local.policy_compartment_id
  name           = "${local.name}-allocator-${substr(sha1(each.value), 0, 8)}"
  description    = "cilium-oci-ipam allocator: instances and VNIC attachments in one cluster compartment"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
  statements = [
    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to read instances in compartment id ${each.value}",
    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to inspect vnic-attachments in compartment id ${each.value}",
    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to {INSTANCE_ATTACH_SECONDARY_VNIC, INSTANCE_DETACH_SECONDARY_VNIC} in compartment id ${each.value}",
  ]
}

# In the network compartment: subnets, their IP inventory, NSGs, and the VNICs and private IPs that live in them.
#   ListSubnets                SUBNET_READ                            (use subnets = SUBNET_READ, SUBNET_ATTACH, SUBNET_DETACH)
#   AttachVnic/CreatePrivateIp SUBNET_ATTACH;  DetachVnic/DeletePrivateIp  SUBNET_DETACH
#   GetSubnetIpInventory       IPAM_READ                              (inspect ipam)
#   ListNetworkSecurityGroups  NETWORK_SECURITY_GROUP_READ
#   AttachVnic with NSGs       NETWORK_SECURITY_GROUP_UPDATE_MEMBERS, VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP
#   AttachVnic                 VNIC_CREATE, VNIC_ATTACH               (the new VNIC lives in its subnet's compartment)
#   DetachVnic                 VNIC_DETACH, VNIC_DELETE
#   GetVnic                    VNIC_READ
#   UpdateVnic                 VNIC_UPDATE: re-tag a VNIC a prewarm attached when its node adopts it
#   ListPrivateIps             PRIVATE_IP_READ
#   CreatePrivateIp            PRIVATE_IP_CREATE, PRIVATE_IP_ASSIGN, VNIC_ASSIGN
#   DeletePrivateIp            PRIVATE_IP_DELETE, PRIVATE_IP_UNASSIGN, VNIC_UNASSIGN
#   UpdatePrivateIp            PRIVATE_IP_UPDATE, VNIC_ASSIGN, VNIC_UNASSIGN: re-tag an IP a prewarm created
#   BulkCreatePrivateIps       what CreatePrivateIp needs (only with use_bulk_create); its GetWorkRequest and
#                              ListWorkRequestErrors "inherit the permissions of the operation that spawns" them
#                              (Permissions Required for Each API Operation), so they need no statement of their own
# Permission lists, not `use vnics` / `use private-ips` / `use network-security-groups`: those verbs also grant
# VNIC_DISASSOCIATE_NETWORK_SECURITY_GROUP, public-IP and NSG-inspect permissions the code never uses.
resource "oci_identity_policy" "allocator_network" {
  provider = oci.home

  compartment_id = local.policy_compartment_id
  name           = "${local.name}-allocator-network"
  description    = "cilium-oci-ipam allocator: subnets, IP inventory, NSG membership, VNICs and private IPs in the network compartment"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
  statements = [
    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to use subnets in compartment id ${local.network_compartment_id}",
    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to inspect ipam in compartment id ${local.network_compartment_id}",
    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to {NETWORK_SECURITY_GROUP_READ, NETWORK_SECURITY_GROUP_UPDATE_MEMBERS} in compartment id ${local.network_compartment_id}",
    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to {VNIC_READ, VNIC_CREATE, VNIC_ATTACH, VNIC_UPDATE, VNIC_DETACH, VNIC_DELETE, VNIC_ASSIGN, VNIC_UNASSIGN, VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP} in compartment id ${local.network_compartment_id}",
    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to {PRIVATE_IP_READ, PRIVATE_IP_CREATE, PRIVATE_IP_ASSIGN, PRIVATE_IP_UPDATE, PRIVATE_IP_DELETE, PRIVATE_IP_UNASSIGN} in compartment id ${local.network_compartment_id}",
  ]
}

# The Kubernetes token: GetSecretBundle (SECRET_BUNDLE_READ, all that `read secret-bundles` holds) on this one secret.
resource "oci_identity_policy" "allocator_secret" {
  provider = oci.home

  compartment_id = local.policy_compartment_id
  name           = "${local.name}-allocator-secret"
  description    = "cilium-oci-ipam allocator: read the Kubernetes token secret"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
  statements = [
    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to {SECRET_BUNDLE_READ} in compartment id ${var.compartment_id} where target.secret.id = '${oci_vault_secret.kube_token.id}'",
  ]
}

# --- Watcher -------------------------------------------------------------------------------------------------------

# PutMessages (STREAM_PRODUCE = use stream-push) on the nudge stream only. The watcher holds no other OCI permission.
resource "oci_identity_policy" "watcher" {
  provider = oci.home

  compartment_id = local.policy_compartment_id
  name           = "${local.name}-watcher"
  description    = "cilium-oci-ipam watcher (instance principal): publish nudges"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
  statements = [
    "Allow dynamic-group ${oci_identity_dynamic_group.watcher.name} to use stream-push in compartment id ${var.compartment_id} where target.stream.id = '${oci_streaming_stream.nudges.id}'",
  ]
}

# --- Platform services ---------------------------------------------------------------------------------------------

# Connector Hub reads the stream and invokes the function (connectors in compartment_id only).
# Streaming source: {STREAM_READ, STREAM_CONSUME}; Functions target: use fn-function + use fn-invocation
# (docs.oracle.com/iaas/Content/connector-hub/overview.htm, "Access to Source, Task, and Target Services").
resource "oci_identity_policy" "connector" {
  provider = oci.home

  compartment_id = local.policy_compartment_id
  name           = "${local.name}-connector"
  description    = "cilium-oci-ipam: Connector Hub reads the nudge stream and invokes the allocator"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
  statements = [
    "Allow any-user to {STREAM_READ, STREAM_CONSUME} in compartment id ${var.compartment_id} where all {request.principal.type = 'serviceconnector', request.principal.compartment.id = '${var.compartment_id}', target.stream.id = '${oci_streaming_stream.nudges.id}'}",
    "Allow any-user to use fn-function in compartment id ${var.compartment_id} where all {request.principal.type = 'serviceconnector', request.principal.compartment.id = '${var.compartment_id}'}",
    "Allow any-user to use fn-invocation in compartment id ${var.compartment_id} where all {request.principal.type = 'serviceconnector', request.principal.compartment.id = '${var.compartment_id}'}",
  ]
}

# The Functions service attaches the function to its subnets and pulls its image
# (docs.oracle.com/iaas/Content/Functions/Tasks/functionscreatingpolicies.htm).
resource "oci_identity_policy" "functions_service" {
  provider = oci.home
  count    = var.create_service_policies ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${local.name}-functions-service"
  description    = "cilium-oci-ipam: the Functions service uses the function subnets and reads the image repository"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
  statements = [
    "Allow service faas to use virtual-network-family in compartment id ${local.function_network_compartment_id}",
    "Allow service faas to read repos in compartment id ${local.image_repository_compartment_id}",
  ]
}

# The Events service invokes the function for matching instance events
# (docs.oracle.com/iaas/Content/Events/Concepts/eventspolicy.htm, "Allow the Events Service to Deliver Events").
resource "oci_identity_policy" "events_service" {
  provider = oci.home
  count    = var.create_service_policies && var.enable_instance_events ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${local.name}-events-service"
  description    = "cilium-oci-ipam: the Events service invokes the allocator"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
  statements = [
    "Allow service cloudEvents to use fn-function in compartment id ${var.compartment_id}",
    "Allow service cloudEvents to use fn-invocation in compartment id ${var.compartment_id}",
  ]
}
