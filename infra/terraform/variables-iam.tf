# Who may do what: the function (resource principal), the watcher (instance principal or OKE workload identity),
# Connector Hub, and the Functions/Events services themselves.

variable "policy_compartment_id" {
  description = "Compartment the IAM policies are attached to. It must contain every compartment the statements name; defaults to the tenancy (root)."
  type        = string
  default     = null

  validation {
    condition     = var.policy_compartment_id == null || can(regex("^ocid1\\.(compartment|tenancy)\\.", coalesce(var.policy_compartment_id, "x")))
    error_message = "policy_compartment_id must be a compartment or tenancy OCID."
  }
}

variable "watcher_auth" {
  description = "How the in-cluster watcher authenticates to OCI Streaming: instance_principal (a dynamic group of the worker instances) or workload_identity (OKE enhanced clusters: only the watcher's ServiceAccount)."
  type        = string
  default     = "instance_principal"

  validation {
    condition     = contains(["instance_principal", "workload_identity"], var.watcher_auth)
    error_message = "watcher_auth must be instance_principal or workload_identity."
  }
}

variable "watcher_instance_compartment_ids" {
  description = "instance_principal only: compartments whose instances form the watcher's dynamic group (the nodes it may run on). Defaults to cluster_compartment_ids."
  type        = list(string)
  default     = null

  validation {
    condition     = var.watcher_instance_compartment_ids == null || alltrue([for c in coalesce(var.watcher_instance_compartment_ids, []) : startswith(c, "ocid1.compartment.")])
    error_message = "watcher_instance_compartment_ids must be compartment OCIDs (ocid1.compartment....)."
  }
}

variable "oke_cluster_id" {
  description = "workload_identity only: OCID of the OKE cluster (request.principal.cluster_id)."
  type        = string
  default     = null

  validation {
    condition     = var.oke_cluster_id == null || startswith(coalesce(var.oke_cluster_id, "x"), "ocid1.cluster.")
    error_message = "oke_cluster_id must be a cluster OCID (ocid1.cluster....)."
  }
}

variable "watcher_service_account" {
  description = "workload_identity only: the watcher's ServiceAccount name (infra/kubernetes/rbac/watcher.yaml)."
  type        = string
  default     = "ocipam-watcher"
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
