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
