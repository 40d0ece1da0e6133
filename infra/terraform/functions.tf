# The Functions application and the allocator function (image built from ./Dockerfile; name, memory and timeout as
# in ./func.yaml).

resource "oci_functions_application" "ocipam" {
  compartment_id             = var.compartment_id
  display_name               = local.application_name
  subnet_ids                 = var.function_subnet_ids
  network_security_group_ids = var.function_nsg_ids
  shape                      = var.application_shape
  freeform_tags              = local.freeform_tags
  defined_tags               = var.defined_tags

  # The allocator writes one JSON object per line (pino); JSON line format keeps them structured in OCI Logging, so
  # searches can use data.message.<field> (ApplicationLoggingConfig.lineFormat, functions API 20181201).
  logging {
    line_format = "JSON"
  }
}

resource "oci_functions_function" "allocator" {
  application_id     = oci_functions_application.ocipam.id
  display_name       = "ocipam-allocator"
  image              = var.function_image
  memory_in_mbs      = var.function_memory_mb
  timeout_in_seconds = var.function_timeout_seconds
  config             = local.allocator_config
  freeform_tags      = local.freeform_tags
  defined_tags       = var.defined_tags

  dynamic "provisioned_concurrency_config" {
    for_each = var.provisioned_concurrency_count > 0 ? [var.provisioned_concurrency_count] : []
    content {
      strategy = "CONSTANT"
      count    = provisioned_concurrency_config.value
    }
  }

  lifecycle {
    precondition {
      condition     = length(setintersection(keys(var.allocator_extra_config), keys(local.allocator_managed_config))) == 0
      error_message = "allocator_extra_config sets keys this configuration manages; use the dedicated variables instead."
    }
    precondition {
      # The allocator refuses a request rate below 0.1/s (OCIPAM_OCI_REQUEST_RATE, lib/config/allocator-config.ts).
      condition     = var.oci_request_rate_total / var.stream_partitions >= 0.1
      error_message = "oci_request_rate_total ÷ stream_partitions must be at least 0.1 request per second per container."
    }
    precondition {
      # Application plus function configuration is limited to 4 KB in total (CreateFunctionDetails.config).
      condition     = sum(concat([0], [for k, v in local.allocator_config : length(k) + length(v)])) <= 4096
      error_message = "The function configuration exceeds OCI's 4 KB limit (a large CA certificate is the usual cause)."
    }
  }
}
