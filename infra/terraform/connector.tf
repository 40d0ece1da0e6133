# Connector Hub reads the stream and invokes the function with JSON batches of messages (key and value base64).
# Delivery is at least once and a failed batch is retried whole: the function is idempotent.

resource "oci_sch_service_connector" "nudges" {
  compartment_id = var.compartment_id
  display_name   = "${local.name}-nudges"
  description    = "Nudges from the ocipam watcher to the allocator function"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags

  source {
    kind      = "streaming"
    stream_id = oci_streaming_stream.nudges.id
    cursor {
      kind = var.connector_cursor
    }
  }

  target {
    kind              = "functions"
    function_id       = oci_functions_function.allocator.id
    batch_size_in_num = var.connector_batch_size
    batch_time_in_sec = var.connector_batch_time_seconds
  }

  # The connector checks its access when it starts moving data.
  depends_on = [oci_identity_policy.connector]
}
