# Who may do what: the function (resource principal), the watcher (instance principal: the watcher signs with the
# worker node's identity, events/watcher/oci-auth.ts), Connector Hub, and the Functions/Events services themselves.

variable "policy_compartment_id" {
  description = "Compartment the IAM policies are attached to. It must contain every compartment the statements name; defaults to the tenancy (root)."
  type        = string
  default     = null

  validation {
    condition     = var.policy_compartment_id == null || can(regex("^ocid1\\.(compartment|tenancy)\\.", coalesce(var.policy_compartment_id, "x")))
    error_message = "policy_compartment_id must be a compartment or tenancy OCID."
  }
}

variable "watcher_instance_compartment_ids" {
  description = "Compartments whose instances form the watcher's dynamic group (the nodes it may run on). Defaults to cluster_compartment_ids."
  type        = list(string)
  default     = null

  validation {
    condition     = var.watcher_instance_compartment_ids == null ? true : length(var.watcher_instance_compartment_ids) > 0 && alltrue([for c in var.watcher_instance_compartment_ids : startswith(c, "ocid1.compartment.")])
    error_message = "watcher_instance_compartment_ids must be null or at least one compartment OCID (ocid1.compartment....)."
  }
}

variable "create_service_policies" {
  description = "Grant the Functions service (faas: subnets, image repositories) and, with instance events, the Events service (cloudEvents: invoke the function) what the platform itself needs. Turn off if the tenancy already has these statements."
  type        = bool
  default     = true
}

variable "image_repository_compartment_id" {
  description = "Compartment of the OCIR repository holding function_image (Functions reads it). Defaults to compartment_id."
  type        = string
  default     = null

  validation {
    condition     = var.image_repository_compartment_id == null || can(regex("^ocid1\\.(compartment|tenancy)\\.", coalesce(var.image_repository_compartment_id, "x")))
    error_message = "image_repository_compartment_id must be a compartment or tenancy OCID."
  }
}
