import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import type { WatcherHandle } from "../../events/watcher/watcher";
import { startWatcherEnv, waitFor, type WatcherEnv } from "../watcher/harness";
import { dashboardExpressions, readRuleSpec } from "./watcher-metric-names";

/** A free loopback port (bound, read, released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

/**
 * Debian's Prometheus, started by the test on loopback with its own config and data dir, scrapes a running watcher
 * (against the OCI and Kubernetes emulators, as test/watcher/watcher.integration.test.ts runs it) every second and
 * evaluates the shipped rules every second. The rules' `for` durations are set to 0 s here so the test needs
 * seconds, not minutes; their timing is what the promtool unit tests cover.
 */
describe("deploy: a real Prometheus scrapes the watcher and evaluates the alert rules", function () {
  this.timeout(90_000);
  let env: WatcherEnv;
  let watcher: WatcherHandle;
  let prometheus: ChildProcess | undefined;
  let promLog = "";
  let dir: string;
  let api: string;
  const spec = readRuleSpec();
  const alertCount = spec.groups.flatMap((g) => g.rules).filter((r) => r.alert).length;

  async function query<T>(path: string): Promise<T> {
    const res = await fetch(`${api}${path}`);
    const body = (await res.json()) as { status: string; data: T };
    if (body.status !== "success") throw new Error(`${path}: ${JSON.stringify(body)}`);
    return body.data;
  }
  const alerts = async () => (await query<{ alerts: PromAlert[] }>("/api/v1/alerts")).alerts;
  const firing = async (name: string) =>
    (await alerts()).filter((a) => a.labels.alertname === name && a.state === "firing");

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ocipam-prometheus-"));
    env = await startWatcherEnv();
    env.createNode("ready-before", { pool: 8 });
    env.createNode("short", { pool: 0 });
    watcher = await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "1" });
    await waitFor("the watcher's first list", () => watcher.synced(), 10_000);
    // A node joins after the first list and the "function" fills its pool: one join → ready observation.
    env.createNode("joiner", { pool: 0 });
    await new Promise((r) => setTimeout(r, 300));
    env.setPool("joiner", 8);

    const rules = { groups: spec.groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, for: "0s" })) })) };
    writeFileSync(join(dir, "rules.yaml"), YAML.stringify(rules));
    writeFileSync(
      join(dir, "prometheus.yml"),
      YAML.stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        rule_files: [join(dir, "rules.yaml")],
        // The job name the ServiceMonitor's Service gives the series (infra/kubernetes/monitoring/service.yaml).
        scrape_configs: [{ job_name: "ocipam-watcher", static_configs: [{ targets: [`127.0.0.1:${watcher.port}`] }] }],
      }),
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    // Run directly with flags: no systemd unit, no /etc/prometheus, nothing beyond loopback.
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prometheus.stderr?.on("data", (chunk: Buffer) => (promLog = (promLog + chunk.toString()).slice(-4000)));
    await waitFor(
      "Prometheus ready",
      async () => (await fetch(`${api}/-/ready`).catch(() => undefined))?.ok,
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${promLog}`);
    });
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus?.once("exit", r));
      prometheus.kill("SIGTERM");
      await exited;
    }
    await env?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("scrapes the watcher's /metrics: the target is up", async () => {
    const targets = await waitFor(
      "an up target",
      async () => {
        const data = await query<{
          activeTargets: Array<{ health: string; labels: Record<string, string>; lastError: string }>;
        }>("/api/v1/targets");
        return data.activeTargets.find((t) => t.health === "up");
      },
      20_000,
    );
    expect(targets.labels.job).to.equal("ocipam-watcher");
    expect(targets.lastError).to.equal("");
  });

  it(
    "stores the join → ready histogram: one observation, for the node that " + "joined while the watcher watched",
    async () => {
      const value = await waitFor(
        "ocipam_watcher_join_to_ready_seconds_count",
        async () =>
          (
            await query<{ result: Array<{ value: [number, string] }> }>(
              "/api/v1/query?query=ocipam_watcher_join_to_ready_seconds_count",
            )
          ).result[0]?.value[1],
        20_000,
      );
      expect(Number(value)).to.equal(1);
      const le = await query<{ result: Array<{ value: [number, string] }> }>(
        `/api/v1/query?query=${encodeURIComponent('ocipam_watcher_join_to_ready_seconds_bucket{le="5"}')}`,
      );
      expect(Number(le.result[0]?.value[1])).to.equal(1);
    },
  );

  it("loads every rule and evaluates each without error", async () => {
    const rules = await waitFor(
      "rules evaluated",
      async () => {
        const data = await query<{
          groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }> }>;
        }>("/api/v1/rules");
        const all = data.groups.flatMap((g) => g.rules);
        return all.length === alertCount && all.every((r) => !r.lastEvaluation.startsWith("0001")) ? all : undefined;
      },
      20_000,
    );
    expect(rules.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.lastError}`)).to.deep.equal([]);
  });

  it(
    "fires OcipamNodeShortOfIps for the node nothing fills, with its " + "annotations rendered, and only for it",
    async () => {
      const got = await waitFor(
        "OcipamNodeShortOfIps firing",
        async () => {
          const a = await firing("OcipamNodeShortOfIps");
          return a.length > 0 ? a : undefined;
        },
        20_000,
      );
      expect(got.map((a) => a.labels.target_node)).to.deep.equal(["short"]);
      expect(got[0].labels.severity).to.equal("warning");
      expect(got[0].annotations.summary).to.equal("Node short has been short of pod IPs for 10 minutes");
      expect(got[0].annotations.description).to.include("still needs 8 IPs");
    },
  );

  it("keeps the leader, presence, stall and no-nudge alerts quiet while the watcher leads and publishes", async () => {
    // OcipamWatcherAbsent fires at evaluations before the first scrape (for: 0s here) and resolves after it.
    const quiet = [
      "OcipamWatcherNoLeader",
      "OcipamWatcherAbsent",
      "OcipamNodeAtCapacityOrFailing",
      "OcipamAllocationsFailing",
      "OcipamNodesShortWithoutNudges",
    ];
    let active: string[] = [];
    await waitFor(
      "the quiet alerts to be inactive",
      async () => {
        active = (await alerts()).map((a) => a.labels.alertname).filter((n) => quiet.includes(n));
        return active.length === 0;
      },
      15_000,
    ).catch(() => undefined);
    expect(active).to.deep.equal([]);
    expect((await firing("OcipamNodeShortOfIps")).length).to.equal(1);
  });

  it(
    "runs every Grafana dashboard query (Grafana's interval variables " + "replaced); each gauge query returns series",
    async () => {
      const empty: string[] = [];
      let gauges = 0;
      for (const { panel, expr } of dashboardExpressions()) {
        const promql = expr.replaceAll("$__rate_interval", "1m").replaceAll("$__range", "1h");
        const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
        const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
        expect(body.status, `${panel}: ${promql}: ${body.error ?? ""}`).to.equal("success");
        // Rates and quantiles need samples spread over their window; gauge queries answer from the first scrape.
        if (/\b(rate|increase)\(/.test(promql)) continue;
        gauges++;
        if ((body.data?.result.length ?? 0) === 0) empty.push(`${panel}: ${promql}`);
      }
      expect(gauges).to.be.at.least(8);
      expect(empty).to.deep.equal([]);
    },
  );
});
