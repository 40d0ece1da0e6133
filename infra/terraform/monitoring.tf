# Optional alarms on the allocator function (metric namespace oci_faas, dimensions resourceId and responseType:
# docs.oracle.com/iaas/Content/Functions/Reference/functionsmetrics.htm).

locals {
  alarm_definitions = {
    errors = {
      summary  = "ocipam allocator invocations failed"
      query    = "FunctionResponseCount[5m]{resourceId = \"${oci_functions_function.allocator.id}\", responseType = \"Error\"}.sum() > 0"
      severity = "CRITICAL"
      body     = "The allocator function answered with an error. Search the invoke log (see infra/README.md, Troubleshooting) for level = 'error'."
    }
    throttled = {
      summary  = "ocipam allocator invocations throttled"
      query    = "FunctionResponseCount[5m]{resourceId = \"${oci_functions_function.allocator.id}\", responseType = \"Throttled\"}.sum() > 0"
      severity = "WARNING"
      body     = "OCI Functions refused invocations with 429 (concurrency or memory limit of the tenancy). Connector Hub retries them; nodes wait longer for addresses."
    }
    near_timeout = {
      summary  = "ocipam allocator invocations close to the timeout"
      query    = "FunctionExecutionDuration[5m]{resourceId = \"${oci_functions_function.allocator.id}\"}.max() > ${floor(var.function_timeout_seconds * 1000 * 0.8)}"
      severity = "WARNING"
      body     = "An invocation used more than 80% of the function timeout: OCI throttling or slow VNIC attachments. Consider a longer timeout or fewer OCIPAM_MAX_PARALLEL_NODES."
    }
  }
}

resource "oci_monitoring_alarm" "allocator" {
  # A filter, not `cond ? map : {}`: the two branches of a conditional must have the same object type.
  for_each = { for name, alarm in local.alarm_definitions : name => alarm if var.enable_alarms }

  compartment_id        = var.compartment_id
  metric_compartment_id = var.compartment_id
  display_name          = "${local.name}-${replace(each.key, "_", "-")}"
  namespace             = "oci_faas"
  query                 = each.value.query
  severity              = each.value.severity
  body                  = each.value.body
  alarm_summary         = each.value.summary
  destinations          = [var.alarm_topic_id]
  is_enabled            = true
  pending_duration      = "PT1M"
  freeform_tags         = local.freeform_tags
  defined_tags          = var.defined_tags

  lifecycle {
    precondition {
      condition     = var.alarm_topic_id != null
      error_message = "enable_alarms needs alarm_topic_id (a Notifications topic)."
    }
  }
}
