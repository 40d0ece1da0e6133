# OCI Events: compute instance launch/terminate in the cluster's compartments -> allocator function.

variable "enable_instance_events" {
  description = "Deliver compute instance events of the cluster compartments to the function, so a new node's pool is prepared before its kubelet joins."
  type        = bool
  default     = true
}

variable "instance_event_types" {
  description = "Event types the rules match. The function acts on launchinstance (prepares the node) and acknowledges terminateinstance (OCI removes the VNICs itself)."
  type        = list(string)
  default = [
    "com.oraclecloud.computeapi.launchinstance.end",
    "com.oraclecloud.computeapi.terminateinstance.end",
  ]

  validation {
    # The types events/contracts decodes (SUPPORTED_OCI_EVENT_TYPES); any other type would be rejected by the function.
    condition = length(var.instance_event_types) > 0 && alltrue([for t in var.instance_event_types : contains([
      "com.oraclecloud.computeapi.launchinstance.begin",
      "com.oraclecloud.computeapi.launchinstance.end",
      "com.oraclecloud.computeapi.terminateinstance.begin",
      "com.oraclecloud.computeapi.terminateinstance.end",
    ], t)])
    error_message = "instance_event_types must be compute launchinstance/terminateinstance begin/end event types."
  }
}
