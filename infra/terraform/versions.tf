terraform {
  # startswith(), optional object attributes and lifecycle preconditions need 1.5; tested with terraform fmt 1.11.
  required_version = ">= 1.5.0"

  required_providers {
    oci = {
      source = "oracle/oci"
      # >= 8.22.0, < 9.0.0. The lower bound is the newest "introduced" release among the fields this configuration
      # uses: events.tf's `actions { action { ... } }` (v8.22.0; the older `actions { actions { ... } }` is deprecated
      # from then on) and functions.tf's `logging { line_format }` (v8.11.0), both read from the provider's
      # internal/service/*/*_resource.go across release tags. test/deploy/provider-schema.test.ts checks every
      # resource, attribute and block against the stored schema (test/deploy/provider-schema/oci-provider-schema.json).
      version = "~> 8.22"
    }
  }
}
