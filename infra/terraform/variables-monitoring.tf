# Optional OCI Monitoring alarms: the function's oci_faas metrics, and a metric made from the allocator's log lines
# by a Connector Hub connector (monitoring.tf explains why).

variable "enable_alarms" {
  description = "Create alarms for failed, throttled and nearly timed-out invocations, invocations reporting ok:false, and nodes AtCapacity or in Error (the last three through a Connector Hub connector from the invocation log to a custom metric, and its policy)."
  type        = bool
  default     = false
}

variable "alarm_topic_id" {
  description = "Notifications topic the alarms publish to (required when enable_alarms is true)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_id == null || startswith(coalesce(var.alarm_topic_id, "x"), "ocid1.onstopic.")
    error_message = "alarm_topic_id must be a Notifications topic OCID (ocid1.onstopic....)."
  }
}

variable "alarm_metric_namespace" {
  description = "Custom metric namespace of the allocator's log-line metric (in compartment_id). The connector may write to this namespace only."
  type        = string
  default     = "ocipam"

  validation {
    # "A valid namespace value starts with an alphabetical character and includes only alphanumeric characters and
    # underscores"; the oci_ prefix is Oracle's (MetricDataDetails.namespace, docs.oracle.com/en-us/iaas/tools/
    # typescript/latest/modules/_monitoring_lib_model_metric_data_details_.metricdatadetails.html).
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]*$", var.alarm_metric_namespace)) && !startswith(lower(var.alarm_metric_namespace), "oci_")
    error_message = "alarm_metric_namespace must start with a letter, hold only letters, digits and underscores, and not start with oci_."
  }
}
