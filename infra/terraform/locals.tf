locals {
  name                            = "ocipam-${var.cluster_name}"
  application_name                = coalesce(var.application_name, local.name)
  network_compartment_id          = coalesce(var.network_compartment_id, var.cluster_compartment_ids[0])
  function_network_compartment_id = coalesce(var.function_network_compartment_id, local.network_compartment_id)
  policy_compartment_id           = coalesce(var.policy_compartment_id, var.tenancy_ocid)
  image_repository_compartment_id = coalesce(var.image_repository_compartment_id, var.compartment_id)
  watcher_instance_compartments   = var.watcher_instance_compartment_ids != null ? var.watcher_instance_compartment_ids : var.cluster_compartment_ids

  freeform_tags = merge({ "ocipam-cluster" = var.cluster_name }, var.freeform_tags)

  # The allocator's configuration: OCIPAM_* keys of lib/config/allocator-config.ts (ALLOCATOR_CONFIG_KEYS), passed to
  # the function as environment. Null or empty values are left out so the code's default applies. The Kubernetes
  # token is NOT here: only the OCID of the Vault secret that holds it. Each value names at most one variable: the
  # configuration reference in infra/README.md is generated from this map (functions/build/config-reference.ts).
  allocator_managed_config = {
    OCIPAM_CLUSTER_NAME            = var.cluster_name
    OCIPAM_COMPARTMENT_IDS         = join(",", var.cluster_compartment_ids)
    OCIPAM_VCN_ID                  = var.vcn_id
    OCIPAM_NETWORK_COMPARTMENT_ID  = var.network_compartment_id
    OCIPAM_SUBNET_IDS              = join(",", var.pod_subnet_ids)
    OCIPAM_SUBNET_TAGS             = join(",", [for k in sort(keys(var.pod_subnet_tags)) : "${k}=${var.pod_subnet_tags[k]}"])
    OCIPAM_NSG_IDS                 = join(",", var.pod_nsg_ids)
    OCIPAM_NSG_TAGS                = join(",", [for k in sort(keys(var.pod_nsg_tags)) : "${k}=${var.pod_nsg_tags[k]}"])
    OCIPAM_EXCLUDE_INTERFACE_TAGS  = join(",", [for k in sort(keys(var.exclude_interface_tags)) : "${k}=${var.exclude_interface_tags[k]}"])
    OCIPAM_IPS_PER_VNIC            = var.ips_per_vnic == null ? null : tostring(var.ips_per_vnic)
    OCIPAM_FIRST_INTERFACE_INDEX   = var.first_interface_index == null ? null : tostring(var.first_interface_index)
    OCIPAM_RELEASE_EXCESS_IPS      = tostring(var.release_excess_ips)
    OCIPAM_EXCESS_IP_RELEASE_DELAY = var.excess_ip_release_delay_seconds == null ? null : tostring(var.excess_ip_release_delay_seconds)
    OCIPAM_USE_BULK_CREATE         = tostring(var.use_bulk_create)
    OCIPAM_OCI_AUTH                = "resource_principal"
    OCIPAM_KUBE_AUTH               = "vault"
    OCIPAM_KUBE_API_SERVER         = trimsuffix(var.kubernetes_api_server, "/")
    OCIPAM_KUBE_TOKEN_SECRET_ID    = oci_vault_secret.kube_token.id
    OCIPAM_KUBE_CA_CERT            = var.kubernetes_ca_cert_pem == null ? null : base64encode(var.kubernetes_ca_cert_pem)
    OCIPAM_NAMESPACE               = var.kubernetes_namespace
    OCIPAM_LOG_LEVEL               = var.log_level
    # Per container: the tenancy-wide total shared by the containers that may run at once (one per partition of the
    # stream, streaming.tf; see variables-streaming.tf); the burst is 2 s of that share.
    OCIPAM_OCI_REQUEST_RATE  = tostring(var.oci_request_rate_total / var.stream_partitions)
    OCIPAM_OCI_REQUEST_BURST = tostring(max(1, floor(2 * var.oci_request_rate_total / var.stream_partitions)))
  }

  allocator_config = merge(
    var.allocator_extra_config,
    { for k, v in local.allocator_managed_config : k => v if v != null && v != "" },
  )
}
