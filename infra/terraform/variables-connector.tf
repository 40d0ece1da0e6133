# Connector Hub: stream -> allocator function, in batches.

variable "connector_batch_size" {
  description = "Messages per function invocation at most (batchSizeInNum). The function dedupes nodes within a batch."
  type        = number
  default     = 100

  validation {
    condition     = var.connector_batch_size >= 1 && var.connector_batch_size <= 10000 && floor(var.connector_batch_size) == var.connector_batch_size
    error_message = "connector_batch_size must be a whole number from 1 to 10000."
  }
}

variable "connector_batch_time_seconds" {
  description = "Longest wait before a partial batch is sent (batchTimeInSec). It adds directly to the node-join latency; the service's allowed range was not confirmed, 1-600 is accepted here."
  type        = number
  default     = 1

  validation {
    condition     = var.connector_batch_time_seconds >= 1 && var.connector_batch_time_seconds <= 600 && floor(var.connector_batch_time_seconds) == var.connector_batch_time_seconds
    error_message = "connector_batch_time_seconds must be a whole number from 1 to 600."
  }
}

variable "connector_cursor" {
  description = "Where a new connector starts reading: LATEST or TRIM_HORIZON (replays what the stream retains; harmless, nudges are hints)."
  type        = string
  default     = "LATEST"

  validation {
    condition     = contains(["LATEST", "TRIM_HORIZON"], var.connector_cursor)
    error_message = "connector_cursor must be LATEST or TRIM_HORIZON."
  }
}
