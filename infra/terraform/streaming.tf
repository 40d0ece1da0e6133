# The nudge stream. The watcher publishes one small message per node needing work, key = node name.

resource "oci_streaming_stream_pool" "ocipam" {
  count = var.stream_pool_id == null ? 1 : 0

  compartment_id = var.compartment_id
  name           = local.name
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
}

resource "oci_streaming_stream" "nudges" {
  name               = "${local.name}-nudges"
  stream_pool_id     = coalesce(var.stream_pool_id, one(oci_streaming_stream_pool.ocipam[*].id))
  partitions         = var.stream_partitions
  retention_in_hours = var.stream_retention_hours
  freeform_tags      = local.freeform_tags
  defined_tags       = var.defined_tags
}
