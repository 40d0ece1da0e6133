output "application_id" {
  description = "OCID of the Functions application."
  value       = oci_functions_application.ocipam.id
}

output "application_name" {
  description = "Name of the Functions application: the --app of `fn deploy` and `fn invoke`."
  value       = oci_functions_application.ocipam.display_name
}

output "function_id" {
  description = "OCID of the allocator function."
  value       = oci_functions_function.allocator.id
}

output "function_invoke_endpoint" {
  description = "Invoke endpoint of the allocator function (for `oci fn function invoke` or a signed request)."
  value       = oci_functions_function.allocator.invoke_endpoint
}

output "function_config" {
  description = "The allocator's configuration as passed to the function (no secrets: the token stays in Vault)."
  value       = oci_functions_function.allocator.config
}

output "stream_id" {
  description = "OCID of the nudge stream: the watcher's stream setting."
  value       = oci_streaming_stream.nudges.id
}

output "stream_messages_endpoint" {
  description = "Messages endpoint of the nudge stream: where the watcher sends PutMessages."
  value       = oci_streaming_stream.nudges.messages_endpoint
}

output "stream_pool_id" {
  description = "OCID of the stream pool holding the nudge stream."
  value       = oci_streaming_stream.nudges.stream_pool_id
}

output "connector_id" {
  description = "OCID of the Connector Hub connector from the stream to the function."
  value       = oci_sch_service_connector.nudges.id
}

output "events_rule_ids" {
  description = "OCIDs of the Events rules (one per cluster compartment), empty when instance events are off."
  value       = [for r in oci_events_rule.instances : r.id]
}

output "log_group_id" {
  description = "OCID of the log group."
  value       = oci_logging_log_group.ocipam.id
}

output "invoke_log_id" {
  description = "OCID of the function invocation log: search it in OCI Logging (infra/README.md, Troubleshooting)."
  value       = oci_logging_log.invoke.id
}

output "kube_token_secret_id" {
  description = "OCID of the Vault secret holding the Kubernetes token (OCIPAM_KUBE_TOKEN_SECRET_ID); rotate it with `oci vault secret update-base64`."
  value       = oci_vault_secret.kube_token.id
}

output "allocator_dynamic_group" {
  description = "Name of the allocator function's dynamic group."
  value       = oci_identity_dynamic_group.allocator.name
}

output "watcher_dynamic_group" {
  description = "Name of the watcher's dynamic group (the worker instances, instance principal)."
  value       = oci_identity_dynamic_group.watcher.name
}

output "watcher_settings" {
  description = "The stream values of the watcher's ConfigMap (infra/kubernetes/watcher/configmap.yaml)."
  value = {
    OCIPAM_WATCHER_CLUSTER_NAME    = var.cluster_name
    OCIPAM_WATCHER_STREAM_ID       = oci_streaming_stream.nudges.id
    OCIPAM_WATCHER_STREAM_ENDPOINT = oci_streaming_stream.nudges.messages_endpoint
  }
}
