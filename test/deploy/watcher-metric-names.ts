import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { WatcherMetrics } from "../../events/watcher/metrics";

export const MONITORING_DIR = join(__dirname, "..", "..", "infra", "kubernetes", "monitoring");

/**
 * Every series name the watcher's registry exposes (histograms as _bucket, _sum and _count), read from the real
 * WatcherMetrics rather than from a list, so a renamed metric breaks the rules and dashboard tests.
 */
export async function watcherSeriesNames(): Promise<Set<string>> {
  const metrics = new WatcherMetrics({ nodes: () => [], isLeader: () => false }, { processMetrics: false });
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    // prom-client types the field as a numeric enum, but at runtime it is the text name ("histogram").
    if (String(m.type) === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(`${m.name}${s}`);
    else names.add(m.name);
  }
  return names;
}

/** Metric names an expression refers to: the project's prefixes (the watcher's own and Cilium's operator names). */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:ocipam|cilium_operator)_[a-zA-Z0-9_:]+/g) ?? [])];
}

export interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The PrometheusRule's spec (a Prometheus rule file: `groups`). */
export function readRuleSpec(): { groups: Array<{ name: string; rules: AlertRule[] }> } {
  const doc = YAML.parse(readFileSync(join(MONITORING_DIR, "prometheusrule.yaml"), "utf8")) as {
    spec: { groups: Array<{ name: string; rules: AlertRule[] }> };
  };
  return doc.spec;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr: string }>;
}

/** The dashboard JSON inside its ConfigMap (infra/kubernetes/monitoring/grafana-dashboard.yaml). */
export function readDashboard(): {
  uid: string;
  panels: DashboardPanel[];
  templating: { list: Array<{ name: string; type: string }> };
} {
  const cm = YAML.parse(readFileSync(join(MONITORING_DIR, "grafana-dashboard.yaml"), "utf8")) as {
    data: Record<string, string>;
  };
  return JSON.parse(cm.data["ocipam-ipam.json"]) as ReturnType<typeof readDashboard>;
}

/** Every query of the dashboard. */
export function dashboardExpressions(): Array<{ panel: string; expr: string }> {
  return readDashboard().panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}
