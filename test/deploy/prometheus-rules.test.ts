import { expect } from "chai";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { metricNamesIn, readRuleSpec, watcherSeriesNames, type AlertRule } from "./watcher-metric-names";

const UNIT_TESTS = join(__dirname, "prometheus", "ocipam-rules.test.yaml");

function promtool(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("promtool", args, { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, out: `${stdout}${stderr}` }),
    );
  });
}

/**
 * Writes the rules (without annotations: promtool compares them verbatim, and their templates are checked by
 * `promtool check rules` and rendered by the real Prometheus test) and a copy of the unit tests into a temp dir.
 */
function unitTestDir(spec: ReturnType<typeof readRuleSpec>, edit: (rule: AlertRule) => AlertRule = (r) => r): string {
  const dir = mkdtempSync(join(tmpdir(), "ocipam-promtool-"));
  const groups = spec.groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => edit((({ annotations: _a, ...rest }) => rest)(r))),
  }));
  writeFileSync(join(dir, "ocipam-rules.yaml"), YAML.stringify({ groups }));
  copyFileSync(UNIT_TESTS, join(dir, "ocipam-rules.test.yaml"));
  return dir;
}

describe("deploy: Prometheus alert rules (promtool)", function () {
  this.timeout(60_000);
  const spec = readRuleSpec();
  const alerts = spec.groups.flatMap((g) => g.rules).filter((r) => r.alert);
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("passes `promtool check rules` with annotations and templates as shipped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ocipam-promtool-"));
    dirs.push(dir);
    writeFileSync(join(dir, "rules.yaml"), YAML.stringify(spec));
    const run = await promtool("check", "rules", join(dir, "rules.yaml"));
    expect(run.out).to.include(`SUCCESS: ${alerts.length} rules found`);
    expect(run.code).to.equal(0);
  });

  it("passes its promtool unit tests (input series, alerts expected to fire and not to fire)", async () => {
    const dir = unitTestDir(spec);
    dirs.push(dir);
    const run = await promtool("test", "rules", join(dir, "ocipam-rules.test.yaml"));
    expect(run.out).to.include("SUCCESS");
    expect(run.code, run.out).to.equal(0);
  });

  it("fails those unit tests when a threshold is loosened (the tests bite)", async () => {
    const dir = unitTestDir(spec, (r) => ({ ...r, expr: r.expr.replace("> 900", "> 90000") }));
    dirs.push(dir);
    const run = await promtool("test", "rules", join(dir, "ocipam-rules.test.yaml"));
    expect(run.code).to.not.equal(0);
    expect(run.out).to.include("OcipamNodeAtCapacityOrFailing");
  });

  it("has a unit test for every alert", () => {
    const tested = new Set<string>();
    const doc = YAML.parse(readFileSync(UNIT_TESTS, "utf8")) as {
      tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    for (const t of doc.tests)
      for (const a of t.alert_rule_test ?? []) if (a.exp_alerts.length > 0) tested.add(a.alertname);
    expect([...tested].sort()).to.deep.equal(alerts.map((a) => String(a.alert)).sort());
  });

  it("refers only to metrics the watcher exports", async () => {
    const exported = await watcherSeriesNames();
    const used = alerts.flatMap((a) => metricNamesIn(a.expr));
    expect(used.length).to.be.greaterThan(8);
    expect(used.filter((m) => !exported.has(m))).to.deep.equal([]);
  });

  it("gives every alert a severity, a summary and a description", () => {
    for (const a of alerts) {
      expect(a.labels?.severity, String(a.alert)).to.be.oneOf(["warning", "critical"]);
      expect(a.annotations?.summary, String(a.alert)).to.be.a("string").and.not.equal("");
      expect(a.annotations?.description, String(a.alert)).to.be.a("string").and.not.equal("");
    }
  });
});
