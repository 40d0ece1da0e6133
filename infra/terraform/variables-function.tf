# The Functions application and the allocator function: where it runs, its image and limits, and the allocator
# settings that end up in its configuration (the OCIPAM_* keys of lib/config/allocator-config.ts).

variable "application_name" {
  description = "Display name of the Functions application (the --app of `fn deploy`). Defaults to ocipam-<cluster_name>."
  type        = string
  default     = null
}

variable "function_subnet_ids" {
  description = "Subnets the function runs in. They must reach the OCI APIs (service gateway or NAT) and the Kubernetes API endpoint (TCP 6443)."
  type        = list(string)

  validation {
    condition     = length(var.function_subnet_ids) > 0 && alltrue([for s in var.function_subnet_ids : startswith(s, "ocid1.subnet.")])
    error_message = "function_subnet_ids must hold at least one subnet OCID (ocid1.subnet....)."
  }
}

variable "function_nsg_ids" {
  description = "Network security groups of the Functions application (optional)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.function_nsg_ids : startswith(n, "ocid1.networksecuritygroup.")])
    error_message = "function_nsg_ids must be NSG OCIDs (ocid1.networksecuritygroup....)."
  }
}

variable "function_network_compartment_id" {
  description = "Compartment of function_subnet_ids, where the Functions service itself needs `use virtual-network-family`. Defaults to the network compartment."
  type        = string
  default     = null

  validation {
    condition     = var.function_network_compartment_id == null || startswith(coalesce(var.function_network_compartment_id, "x"), "ocid1.compartment.")
    error_message = "function_network_compartment_id must be a compartment OCID (ocid1.compartment....)."
  }
}

variable "application_shape" {
  description = "Processor architecture of the application: GENERIC_X86, GENERIC_ARM or GENERIC_X86_ARM (multi-arch image required)."
  type        = string
  default     = "GENERIC_X86"

  validation {
    condition     = contains(["GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM"], var.application_shape)
    error_message = "application_shape must be GENERIC_X86, GENERIC_ARM or GENERIC_X86_ARM."
  }
}

variable "function_image" {
  description = "Image of the allocator in OCIR in the same region, e.g. iad.ocir.io/<namespace>/ocipam/allocator:0.1.0 (built from the repository's Dockerfile)."
  type        = string

  validation {
    condition     = can(regex("^[^/\\s]+/[^/\\s]+/[^\\s]+(:[A-Za-z0-9_.-]+|@sha256:[0-9a-f]{64})$", var.function_image))
    error_message = "function_image must be <registry>/<namespace>/<repository>:<tag> (or @sha256:<digest>)."
  }
}

variable "function_memory_mb" {
  description = "Memory of the function in MB (func.yaml `memory`). OCI Functions accepts 128, 256, 512, 1024, 2048 and 3072."
  type        = number
  default     = 256

  validation {
    condition     = contains([128, 256, 512, 1024, 2048, 3072], var.function_memory_mb)
    error_message = "function_memory_mb must be one of 128, 256, 512, 1024, 2048, 3072."
  }
}

variable "function_timeout_seconds" {
  description = "Timeout of one invocation (func.yaml `timeout`); OCI Functions allows at most 300. The allocator keeps OCIPAM_DEADLINE_RESERVE_MS of it for its final writes."
  type        = number
  default     = 120

  validation {
    condition     = var.function_timeout_seconds >= 5 && var.function_timeout_seconds <= 300 && floor(var.function_timeout_seconds) == var.function_timeout_seconds
    error_message = "function_timeout_seconds must be a whole number from 5 to 300."
  }
}

variable "provisioned_concurrency_count" {
  description = "Provisioned concurrency units kept warm (0 = none). Removes cold starts (seconds) from the node-join path at a cost."
  type        = number
  default     = 0

  validation {
    condition     = var.provisioned_concurrency_count >= 0 && floor(var.provisioned_concurrency_count) == var.provisioned_concurrency_count
    error_message = "provisioned_concurrency_count must be a whole number, 0 or more."
  }
}

variable "pod_subnet_ids" {
  description = "OCIPAM_SUBNET_IDS: subnets for new VNICs, preferred over everything else. Empty: tags, then the node's subnet, then the freest."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.pod_subnet_ids : startswith(s, "ocid1.subnet.")])
    error_message = "pod_subnet_ids must be subnet OCIDs (ocid1.subnet....)."
  }
}

variable "pod_subnet_tags" {
  description = "OCIPAM_SUBNET_TAGS: free-form tags a subnet must all carry to take new VNICs (used when pod_subnet_ids is empty)."
  type        = map(string)
  default     = {}
}

variable "pod_nsg_ids" {
  description = "OCIPAM_NSG_IDS: NSGs for new VNICs. Empty: NSGs matching pod_nsg_tags, else those of the node's primary VNIC."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.pod_nsg_ids : startswith(n, "ocid1.networksecuritygroup.")])
    error_message = "pod_nsg_ids must be NSG OCIDs (ocid1.networksecuritygroup....)."
  }
}

variable "pod_nsg_tags" {
  description = "OCIPAM_NSG_TAGS: free-form tags selecting the NSGs of new VNICs."
  type        = map(string)
  default     = {}
}

variable "exclude_interface_tags" {
  description = "OCIPAM_EXCLUDE_INTERFACE_TAGS: a VNIC carrying all of these free-form tags is never used for pods."
  type        = map(string)
  default     = {}
}

variable "ips_per_vnic" {
  description = "OCIPAM_IPS_PER_VNIC: secondary private IPv4 addresses per VNIC (null: the code's default, 31)."
  type        = number
  default     = null

  validation {
    condition     = var.ips_per_vnic == null || (coalesce(var.ips_per_vnic, 1) >= 1 && coalesce(var.ips_per_vnic, 1) <= 256)
    error_message = "ips_per_vnic must be from 1 to 256."
  }
}

variable "first_interface_index" {
  description = "OCIPAM_FIRST_INTERFACE_INDEX: VNICs below this index never carry pod IPs (0: the primary VNIC does; 1: only secondary VNICs). Null: the code's default, 0."
  type        = number
  default     = null

  validation {
    condition     = var.first_interface_index == null || (coalesce(var.first_interface_index, 0) >= 0 && coalesce(var.first_interface_index, 0) <= 255)
    error_message = "first_interface_index must be from 0 to 255."
  }
}

variable "release_excess_ips" {
  description = "OCIPAM_RELEASE_EXCESS_IPS: release excess IPs through Cilium's release handshake."
  type        = bool
  default     = false
}

variable "excess_ip_release_delay_seconds" {
  description = "OCIPAM_EXCESS_IP_RELEASE_DELAY: seconds an IP must stay excess before it is marked for release (null: the code's default, 180)."
  type        = number
  default     = null

  validation {
    condition     = var.excess_ip_release_delay_seconds == null || coalesce(var.excess_ip_release_delay_seconds, 0) >= 0
    error_message = "excess_ip_release_delay_seconds must be 0 or more."
  }
}

variable "use_bulk_create" {
  description = "OCIPAM_USE_BULK_CREATE: create IPs with BulkCreatePrivateIps (one work request). Also grants `inspect work-requests`, which only this path needs."
  type        = bool
  default     = false
}

variable "log_level" {
  description = "OCIPAM_LOG_LEVEL of the allocator (pino level)."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace", "silent"], var.log_level)
    error_message = "log_level must be fatal, error, warn, info, debug, trace or silent."
  }
}

variable "allocator_extra_config" {
  description = "Further OCIPAM_* settings of the allocator, passed as they are (see the configuration reference in infra/README.md), e.g. { OCIPAM_MAX_PARALLEL_NODES = \"8\" }. Keys set by this configuration and OCIPAM_KUBE_TOKEN are refused."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.allocator_extra_config) : can(regex("^OCIPAM_[A-Z0-9_]+$", k))])
    error_message = "allocator_extra_config keys must be OCIPAM_* configuration keys."
  }

  validation {
    # Function configuration is not secret (anyone who can read the function sees it): the token comes from Vault.
    condition     = !contains(keys(var.allocator_extra_config), "OCIPAM_KUBE_TOKEN")
    error_message = "OCIPAM_KUBE_TOKEN must not be set in function configuration; the token is read from the Vault secret."
  }
}
