# OCI Logging: the function's invocation log (its stdout/stderr: the allocator's JSON lines).

variable "log_retention_days" {
  description = "Retention of the invocation log in days (OCI Logging accepts 30-day steps up to 180)."
  type        = number
  default     = 30

  validation {
    condition     = contains([30, 60, 90, 120, 150, 180], var.log_retention_days)
    error_message = "log_retention_days must be 30, 60, 90, 120, 150 or 180."
  }
}
