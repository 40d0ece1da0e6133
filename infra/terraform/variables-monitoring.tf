# Optional OCI Monitoring alarms on the function (oci_faas metrics).

variable "enable_alarms" {
  description = "Create alarms for function errors, throttled invocations and invocations close to the timeout."
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
