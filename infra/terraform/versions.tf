terraform {
  # startswith(), optional object attributes and lifecycle preconditions need 1.5; tested with terraform fmt 1.11.
  required_version = ">= 1.5.0"

  required_providers {
    oci = {
      source = "oracle/oci"
      # 7.x: oci_functions_application takes the `logging { line_format }` block used in functions.tf
      # (internal/service/functions/functions_application_resource.go in oracle/terraform-provider-oci).
      version = "~> 7.0"
    }
  }
}
