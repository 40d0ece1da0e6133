# OCI Events rules: compute instance launches/terminations in each cluster compartment invoke the function directly,
# so a new node's pool can be prepared before its kubelet joins. A rule also sees child compartments, hence the
# explicit compartmentId filter.

resource "oci_events_rule" "instances" {
  for_each = var.enable_instance_events ? toset(var.cluster_compartment_ids) : toset([])

  compartment_id = each.value
  display_name   = "${local.name}-instances"
  description    = "Compute instance events of the ${var.cluster_name} cluster compartment to the ocipam allocator"
  is_enabled     = true
  condition = jsonencode({
    eventType = var.instance_event_types
    data      = { compartmentId = [each.value] }
  })
  freeform_tags = local.freeform_tags
  defined_tags  = var.defined_tags

  # `action` (provider >= 8.22.0; the nested `actions` it replaces is deprecated there).
  actions {
    action {
      action_type = "FAAS"
      is_enabled  = true
      function_id = oci_functions_function.allocator.id
      description = "ocipam allocator"
    }
  }

  depends_on = [oci_identity_policy.events_service]
}
