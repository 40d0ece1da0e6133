# The function's invocation log: service "functions", category "invoke" on the application. Its entries carry the
# allocator's JSON lines under data.message (stable fields: node, instance, vnic, opcRequestId, callId, reason).

resource "oci_logging_log_group" "ocipam" {
  compartment_id = var.compartment_id
  display_name   = "${local.name}-logs"
  description    = "cilium-oci-ipam logs of the ${var.cluster_name} cluster"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
}

resource "oci_logging_log" "invoke" {
  display_name       = "${local.name}-invoke"
  log_group_id       = oci_logging_log_group.ocipam.id
  log_type           = "SERVICE"
  is_enabled         = true
  retention_duration = var.log_retention_days
  freeform_tags      = local.freeform_tags
  defined_tags       = var.defined_tags

  configuration {
    compartment_id = var.compartment_id
    source {
      category    = "invoke"
      resource    = oci_functions_application.ocipam.id
      service     = "functions"
      source_type = "OCISERVICE"
    }
  }
}
