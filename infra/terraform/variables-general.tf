# Where things go and what the cluster is.

variable "tenancy_ocid" {
  description = "OCID of the tenancy. Dynamic groups are created in its root compartment."
  type        = string

  validation {
    condition     = startswith(var.tenancy_ocid, "ocid1.tenancy.")
    error_message = "tenancy_ocid must be a tenancy OCID (ocid1.tenancy....)."
  }
}

variable "region" {
  description = "Region of the cluster and of everything this configuration creates, e.g. us-ashburn-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+-[0-9]+$", var.region))
    error_message = "region must be a region identifier such as us-ashburn-1."
  }
}

variable "home_region" {
  description = "Home region of the tenancy, where IAM resources must be written. Defaults to region."
  type        = string
  default     = null

  validation {
    condition     = var.home_region == null || can(regex("^[a-z]+-[a-z]+-[0-9]+$", coalesce(var.home_region, "x")))
    error_message = "home_region must be a region identifier such as us-ashburn-1."
  }
}

variable "compartment_id" {
  description = "Compartment for the Functions application, stream, connector, log group, Vault secret and alarms."
  type        = string

  validation {
    condition     = startswith(var.compartment_id, "ocid1.compartment.")
    error_message = "compartment_id must be a compartment OCID (ocid1.compartment....)."
  }
}

variable "cluster_name" {
  description = "Name of the Kubernetes cluster (OCIPAM_CLUSTER_NAME). Tagged on every VNIC and IP the allocator creates and used in resource names."
  type        = string

  validation {
    # Same rule as lib/config/allocator-config.ts.
    condition     = can(regex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", var.cluster_name))
    error_message = "cluster_name must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit."
  }
}

variable "cluster_compartment_ids" {
  description = "Compartments of the cluster's worker instances (OCIPAM_COMPARTMENT_IDS). The allocator refuses instances elsewhere; its instance, VNIC and private-IP permissions are granted in exactly these compartments."
  type        = list(string)

  validation {
    condition     = length(var.cluster_compartment_ids) > 0 && alltrue([for c in var.cluster_compartment_ids : startswith(c, "ocid1.compartment.")])
    error_message = "cluster_compartment_ids must hold at least one compartment OCID (ocid1.compartment....)."
  }
}

variable "network_compartment_id" {
  description = "Compartment of the VCN's subnets and NSGs (OCIPAM_NETWORK_COMPARTMENT_ID). Defaults to the first cluster compartment."
  type        = string
  default     = null

  validation {
    condition     = var.network_compartment_id == null || startswith(coalesce(var.network_compartment_id, "x"), "ocid1.compartment.")
    error_message = "network_compartment_id must be a compartment OCID (ocid1.compartment....)."
  }
}

variable "vcn_id" {
  description = "OCID of the cluster's VCN (OCIPAM_VCN_ID). Nodes whose primary VNIC is in another VCN are refused."
  type        = string

  validation {
    condition     = startswith(var.vcn_id, "ocid1.vcn.")
    error_message = "vcn_id must be a VCN OCID (ocid1.vcn....)."
  }
}

variable "freeform_tags" {
  description = "Free-form tags put on every resource this configuration creates."
  type        = map(string)
  default     = {}
}

variable "defined_tags" {
  description = "Defined tags (\"namespace.key\" = value) put on every resource that takes them."
  type        = map(string)
  default     = {}
}
