import { expect } from "chai";
import { dashboardExpressions, metricNamesIn, readDashboard, watcherSeriesNames } from "./watcher-metric-names";

describe("deploy: Grafana dashboard", () => {
  const dashboard = readDashboard();
  const queried = dashboard.panels.filter((p) => p.type !== "row");

  it("names, in every expression, only metrics the watcher exports", async () => {
    const exported = await watcherSeriesNames();
    const exprs = dashboardExpressions();
    expect(exprs.length).to.be.greaterThan(15);
    for (const { panel, expr } of exprs) {
      const names = metricNamesIn(expr);
      expect(names, `${panel}: ${expr}`).to.not.be.empty;
      expect(
        names.filter((n) => !exported.has(n)),
        `${panel}: ${expr}`,
      ).to.deep.equal([]);
    }
  });

  it("shows the join → ready SLI, the node states and the stall per node", () => {
    const all = dashboardExpressions()
      .map((e) => e.expr)
      .join("\n");
    for (const metric of [
      "ocipam_watcher_join_to_ready_seconds_bucket",
      "ocipam_watcher_nodes",
      "ocipam_watcher_node_stalled_seconds",
    ]) {
      expect(all).to.include(metric);
    }
  });

  it("queries through a Prometheus data source variable and has unique panel ids inside a 24-column grid", () => {
    expect(dashboard.uid).to.equal("ocipam-ipam");
    expect(dashboard.templating.list.find((v) => v.name === "datasource")?.type).to.equal("datasource");
    for (const p of queried) {
      expect(p.datasource, p.title).to.deep.equal({ type: "prometheus", uid: "${datasource}" });
      expect(p.gridPos.x + p.gridPos.w, p.title).to.be.at.most(24);
    }
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).to.equal(ids.length);
  });
});
