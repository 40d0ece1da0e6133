# The stream the watcher publishes nudges to (key = node name, so one node's nudges stay ordered in one partition).

variable "stream_pool_id" {
  description = "Existing stream pool to create the stream in. Null: a dedicated pool is created."
  type        = string
  default     = null

  validation {
    condition     = var.stream_pool_id == null || startswith(coalesce(var.stream_pool_id, "x"), "ocid1.streampool.")
    error_message = "stream_pool_id must be a stream pool OCID (ocid1.streampool....)."
  }
}

variable "stream_partitions" {
  description = "Partitions of the stream (immutable; each takes 1 MB/s of writes). One is plenty: a nudge is about 1 KB."
  type        = number
  default     = 1

  validation {
    condition     = var.stream_partitions >= 1 && var.stream_partitions <= 50 && floor(var.stream_partitions) == var.stream_partitions
    error_message = "stream_partitions must be a whole number from 1 to 50."
  }
}

variable "stream_retention_hours" {
  description = "How long the stream keeps messages (immutable; OCI allows 24 to 168 hours). Nudges older than this are lost if the connector stalls."
  type        = number
  default     = 24

  validation {
    condition     = var.stream_retention_hours >= 24 && var.stream_retention_hours <= 168 && floor(var.stream_retention_hours) == var.stream_retention_hours
    error_message = "stream_retention_hours must be a whole number from 24 to 168."
  }
}

# The allocator's OCI request budget is per function container (a token bucket in each process; lib/adapters/oci/
# request-budget.ts). OCI throttles per tenancy with 429 and publishes no rate for the Core APIs, so the operator sets
# one total and each container gets total ÷ stream_partitions (locals.tf): Connector Hub moves a connector's data
# "sequentially by individual move operations" (https://docs.oracle.com/iaas/Content/connector-hub/overview.htm,
# "Speed of Data Movement"), so with one partition one container calls OCI at a time; more partitions are counted
# as that many containers at once, which keeps the sum under the total even if partitions are read in parallel.
variable "oci_request_rate_total" {
  description = "OCI requests per second that all allocator containers together may send; each container gets this ÷ stream_partitions (burst: 2 s of its share). 429s cut every container's rate further."
  type        = number
  default     = 10

  validation {
    condition     = var.oci_request_rate_total >= 0.1 && var.oci_request_rate_total <= 10000
    error_message = "oci_request_rate_total must be from 0.1 to 10000 requests per second."
  }
}
