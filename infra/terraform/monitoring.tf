# Optional alarms (enable_alarms). Two kinds of signal:
#
# 1. The Functions service's own metrics (namespace oci_faas, dimensions resourceId and responseType:
#    docs.oracle.com/iaas/Content/Functions/Reference/functionsmetrics.htm): invocations the function failed (a
#    whole-invocation failure answers an error, so Connector Hub delivers the batch again), throttled ones, and
#    ones close to the timeout.
#
# 2. What the allocator reports about its work, which OCI cannot see: an invocation whose JSON result says
#    "ok": false (a node, instance or collection failed; the function still answers 200), and nodes left AtCapacity
#    or in Error. The function already logs one summary line per node (lib/reconcile/reconcile-node.ts, `finish`:
#    node, state, outcome, reason) and per invocation (functions/allocator/handler.ts: "invocation done" with ok),
#    and the application writes them as JSON (functions.tf, line_format = "JSON"), so each field is at
#    logContent.data.message.<field> of the invocation log's entries
#    (docs.oracle.com/iaas/Content/Logging/Reference/details_for_functions.htm: data.message is the function's line).
#    A Connector Hub connector with the invocation log as source and Monitoring as target turns those entries into
#    a custom metric whose dimensions are read from the entry with JMESPath paths starting at `logContent`
#    (oracle/terraform-provider-oci website/docs/r/sch_service_connector.html.markdown, target.dimensions;
#    Logging -> Monitoring is a supported pair: docs.oracle.com/iaas/Content/connector-hub/overview.htm).
#    Chosen over the function posting custom metrics (PostMetricData) because it needs no code path, no extra call
#    or latency in an invocation, and no METRIC_WRITE grant to the function: only the connector may write, and only
#    to this one namespace (target.metrics.namespace, docs.oracle.com/iaas/Content/Identity/Reference/
#    monitoringpolicyreference.htm; `use metrics` holds METRIC_WRITE = PostMetricData). The cost is the connector's
#    delivery delay (a run every few minutes at most) and one data point per log line of the function.
#    The alarms count data points (`.count()`), so they do not depend on the value Connector Hub gives each one.
#    A line without a field gets the value SCH_EVAL_VALUE_EMPTY for that dimension (provider docs, same page).

locals {
  # Dimensions of the log-line metric: name -> field of the allocator's JSON log line.
  log_metric_dimensions = {
    ok      = "ok"      # "invocation done" lines: true / false
    state   = "state"   # per-node summary: Ready, Allocating, AtCapacity, Error
    outcome = "outcome" # per-node summary: reconciled, refused, skipped, failed, planned
    reason  = "reason"  # the typed reason code (VnicSlotsExhausted, SubnetsExhausted, ...)
    node    = "node"    # which node: per-dimension notifications name it
    level   = "level"   # pino level label: info, warn, error
  }
  log_metric_name = "log_lines"

  alarm_definitions = {
    errors = {
      namespace = "oci_faas"
      summary   = "ocipam allocator invocations failed"
      query     = "FunctionResponseCount[5m]{resourceId = \"${oci_functions_function.allocator.id}\", responseType = \"Error\"}.sum() > 0"
      severity  = "CRITICAL"
      body      = "The allocator function answered with an error: the whole invocation failed (configuration, Vault, Kubernetes authentication or reachability) and Connector Hub delivers the batch again. Search the invoke log (infra/README.md, Troubleshooting) for data.message.level = 'error'."
      per_dim   = false
    }
    throttled = {
      namespace = "oci_faas"
      summary   = "ocipam allocator invocations throttled"
      query     = "FunctionResponseCount[5m]{resourceId = \"${oci_functions_function.allocator.id}\", responseType = \"Throttled\"}.sum() > 0"
      severity  = "WARNING"
      body      = "OCI Functions refused invocations with 429 (concurrency or memory limit of the tenancy). Connector Hub retries them; nodes wait longer for addresses."
      per_dim   = false
    }
    near_timeout = {
      namespace = "oci_faas"
      summary   = "ocipam allocator invocations close to the timeout"
      query     = "FunctionExecutionDuration[5m]{resourceId = \"${oci_functions_function.allocator.id}\"}.max() > ${floor(var.function_timeout_seconds * 1000 * 0.8)}"
      severity  = "WARNING"
      body      = "An invocation used more than 80% of the function timeout: OCI throttling or slow VNIC attachments. Consider a longer timeout or fewer OCIPAM_MAX_PARALLEL_NODES."
      per_dim   = false
    }
    invocations_not_ok = {
      namespace = var.alarm_metric_namespace
      summary   = "ocipam allocator invocations reported ok:false"
      query     = "${local.log_metric_name}[5m]{ok = \"false\"}.count() > 0"
      severity  = "ERROR"
      body      = "An invocation's result said \"ok\": false: a node, instance or leak collection failed. Search the invoke log for data.message.outcome = 'failed' to see which and why (infra/README.md, Troubleshooting)."
      per_dim   = false
    }
    nodes_at_capacity = {
      namespace = var.alarm_metric_namespace
      summary   = "ocipam: nodes at capacity"
      query     = "${local.log_metric_name}[5m]{state = \"AtCapacity\"}.count() > 0"
      severity  = "WARNING"
      body      = "A node's pool cannot grow: every VNIC slot of its shape is used (reason VnicSlotsExhausted). New pods on it wait. kubectl get ociipamnodes shows the node; see infra/README.md, Troubleshooting, VNIC limit."
      per_dim   = true
    }
    nodes_in_error = {
      namespace = var.alarm_metric_namespace
      summary   = "ocipam: nodes in Error"
      query     = "${local.log_metric_name}[5m]{state = \"Error\"}.count() > 0"
      severity  = "ERROR"
      body      = "A node's reconcile ended in Error (the reason dimension says why, e.g. SubnetsExhausted or an OCI error). kubectl get ociipamnodes shows the node; see infra/README.md, Troubleshooting."
      per_dim   = true
    }
  }
}

# The invocation log's entries as data points of <alarm_metric_namespace>/log_lines in compartment_id.
resource "oci_sch_service_connector" "log_metrics" {
  count = var.enable_alarms ? 1 : 0

  compartment_id = var.compartment_id
  display_name   = "${local.name}-log-metrics"
  description    = "ocipam allocator log lines to a Monitoring metric (alarms on ok:false, AtCapacity, Error)"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags

  source {
    kind = "logging"
    log_sources {
      compartment_id = var.compartment_id
      log_group_id   = oci_logging_log_group.ocipam.id
      log_id         = oci_logging_log.invoke.id
    }
  }

  target {
    kind             = "monitoring"
    compartment_id   = var.compartment_id
    metric_namespace = var.alarm_metric_namespace
    metric           = local.log_metric_name

    dynamic "dimensions" {
      for_each = local.log_metric_dimensions
      content {
        name = dimensions.key
        dimension_value {
          kind = "jmesPath"
          path = "logContent.data.message.${dimensions.value}"
        }
      }
    }
  }

  depends_on = [oci_identity_policy.log_metrics]
}

# The connector writes the metric: PostMetricData (METRIC_WRITE, `use metrics`) in compartment_id, this namespace
# only, and only for connectors of compartment_id. Reading the log needs no policy for a connector ("Some resources
# are accessible without policies", docs.oracle.com/iaas/Content/service-connector-hub/managingconnectors.htm).
resource "oci_identity_policy" "log_metrics" {
  provider = oci.home
  count    = var.enable_alarms ? 1 : 0

  compartment_id = local.policy_compartment_id
  name           = "${local.name}-log-metrics"
  description    = "cilium-oci-ipam: Connector Hub writes the allocator's log-line metric"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags
  statements = [
    "Allow any-user to use metrics in compartment id ${var.compartment_id} where all {request.principal.type = 'serviceconnector', request.principal.compartment.id = '${var.compartment_id}', target.metrics.namespace = '${var.alarm_metric_namespace}'}",
  ]
}

resource "oci_monitoring_alarm" "allocator" {
  # A filter, not `cond ? map : {}`: the two branches of a conditional must have the same object type.
  for_each = { for name, alarm in local.alarm_definitions : name => alarm if var.enable_alarms }

  compartment_id        = var.compartment_id
  metric_compartment_id = var.compartment_id
  display_name          = "${local.name}-${replace(each.key, "_", "-")}"
  namespace             = each.value.namespace
  query                 = each.value.query
  severity              = each.value.severity
  body                  = each.value.body
  alarm_summary         = each.value.summary
  destinations          = [var.alarm_topic_id]
  is_enabled            = true
  pending_duration      = "PT1M"
  # Node alarms: one notification per metric stream (per node), so the message names the node.
  is_notifications_per_metric_dimension_enabled = each.value.per_dim
  freeform_tags                                 = local.freeform_tags
  defined_tags                                  = var.defined_tags

  lifecycle {
    precondition {
      condition     = var.alarm_topic_id != null
      error_message = "enable_alarms needs alarm_topic_id (a Notifications topic)."
    }
  }
}
