import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLED_EXAMPLE } from "../../lib/cli/commands/plan";
import { startKubeEmulator } from "../../lib/testbed/kube-emulator";
import { startOciEmulator } from "../../lib/testbed/oci-emulator";
import { cleanEnv, collect, firstLine, OCIPAM, runOcipam, startOcipam, outputUntil } from "./run-ocipam";

/**
 * The conventions of the `ocipam` process as an operator meets them: started through an installed bin link, data on
 * stdout and logs on stderr, exit codes 0/1/2, standard input, shell-ready environment lines, per-component
 * kubeconfigs, temporary files gone after Ctrl-C.
 */
describe("the ocipam command as a process", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "ocipam-conventions-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("started through a node_modules/.bin symlink, as npm installs it", () => {
    const bin = join(dir, "project", "node_modules", ".bin", "ocipam");
    before(() => {
      mkdirSync(join(dir, "project", "node_modules", ".bin"), { recursive: true });
      symlinkSync(OCIPAM, bin);
    });

    it("prints usage with the subcommands and the exit codes, and exits 0 for --help", async () => {
      const ran = await runOcipam(["--help"], { executable: bin, cwd: join(dir, "project") });
      expect(ran.code).to.equal(0);
      expect(ran.stdout).to.match(/^Usage: ocipam \[options\] \[command\]/);
      expect(ran.stdout).to.contain("plan [options]").and.to.contain("reconcile [options] <node>");
      expect(ran.stdout)
        .to.contain("Exit codes:")
        .and.to.match(/2 {2}usage: unknown command or option/);
      expect(ran.stderr).to.equal("");
    });

    it("refuses an unknown command with exit code 2 and a message on stderr only", async () => {
      const ran = await runOcipam(["no-such-command"], { executable: bin });
      expect(ran.code).to.equal(2);
      expect(ran.stderr).to.contain("error: unknown command 'no-such-command'").and.to.contain("ocipam --help");
      expect(ran.stdout).to.equal("");
    });

    it("refuses an unknown option of a subcommand with exit code 2", async () => {
      const ran = await runOcipam(["plan", "--no-such-flag"], { executable: bin });
      expect(ran.code).to.equal(2);
      expect(ran.stderr).to.contain("error: unknown option '--no-such-flag'");
    });
  });

  it("runs as `npm run ocipam --` starts it (tsx lib/cli/main.ts), with the same exit codes", async () => {
    const tsx = join(__dirname, "..", "..", "node_modules", ".bin", "tsx");
    const main = join(__dirname, "..", "..", "lib", "cli", "main.ts");
    const help = await runOcipam([main, "--help"], { executable: tsx });
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^Usage: ocipam /);
    const unknown = await runOcipam([main, "no-such-command"], { executable: tsx });
    expect(unknown.code).to.equal(2);
  });

  it("treats a missing kubeconfig as a configuration error: exit 2, naming the flag", async () => {
    const ran = await runOcipam(["status", "--kubeconfig", join(dir, "no-such-kubeconfig")]);
    expect(ran.code).to.equal(2);
    expect(ran.stderr).to.contain("config --kubeconfig: no file at");
    expect(ran.stdout).to.equal("");
  });

  describe("ocipam plan --input", () => {
    const example = () => JSON.parse(readFileSync(BUNDLED_EXAMPLE, "utf8")) as Record<string, any>;

    it("reads the observed state from standard input with `-` and prints only the plan JSON on stdout", async () => {
      const ran = await runOcipam(["plan", "--input", "-"], { stdin: readFileSync(BUNDLED_EXAMPLE, "utf8") });
      expect(ran.code).to.equal(0);
      expect(ran.stderr).to.equal("");
      const plan = JSON.parse(ran.stdout) as { node: string; actions: Array<{ kind: string }> };
      expect(plan.node).to.equal("worker-1");
      expect(plan.actions.map((a) => a.kind)).to.deep.equal(["assignIps", "attachVnic", "writePool"]);
    });

    it("reports every problem of a bad document at once, each with its JSON pointer, and exits 2", async () => {
      const doc = example();
      doc.vnics[0].index = -1;
      doc.config.ipPerVnic = 4;
      delete doc.instance.shape;
      const ran = await runOcipam(["plan", "-i", "-"], { stdin: JSON.stringify(doc) });
      expect(ran.code).to.equal(2);
      expect(ran.stdout).to.equal("");
      expect(ran.stderr).to.contain("stdin#/config/ipPerVnic: is not a known field (1 of 3 problems)");
      expect(ran.stderr).to.contain("stdin#/instance/shape: is required");
      expect(ran.stderr).to.contain("stdin#/vnics/0/index: must be >= 0");
    });
  });

  describe("ocipam emulate oci --print-env", () => {
    it("prints export lines a POSIX shell reads back, and removes its key and config file after Ctrl-C", async () => {
      const ownTmp = mkdtempSync(join(dir, "tmp-"));
      const args = ["emulate", "oci", "--latency", "zero", "--print-env"];
      const child = startOcipam(args, { env: cleanEnv({ TMPDIR: ownTmp }) });
      const done = collect(child);
      const text = await outputUntil(child, (t) => t.includes("OCIPAM_OCI_REGION="));
      const lines = text.trim().split("\n");
      for (const line of lines) expect(line).to.match(/^export OCIPAM_[A-Z_]+='[^']*'$/);
      const envFile = join(dir, "oci.env");
      writeFileSync(envFile, text);
      const script = `. '${envFile}' && printf '%s\\n' "$OCIPAM_OCI_CONFIG_FILE" "$OCIPAM_OCI_ENDPOINT"`;
      const shell = execFileSync("sh", ["-c", script], { encoding: "utf8" });
      const [configFile, endpoint] = shell.trim().split("\n");
      expect(endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(configFile!.startsWith(ownTmp)).to.equal(true);
      expect(existsSync(configFile!)).to.equal(true);
      child.kill("SIGINT");
      const ran = await done;
      expect(ran.code).to.equal(0);
      expect(existsSync(configFile!)).to.equal(false);
      // tsx keeps its compile cache (tsx-<uid>) there too; that one is tsx's own and meant to stay.
      expect(readdirSync(ownTmp).filter((f) => f.startsWith("ocipam"))).to.deep.equal([]);
    });
  });

  describe("ocipam emulate kube", () => {
    it("writes an admin kubeconfig and one per project ServiceAccount, each acting as that account", async () => {
      const kubeconfig = join(dir, "kube", "kubeconfig");
      const child = startOcipam(["emulate", "kube", "--kubeconfig", kubeconfig]);
      const done = collect(child);
      try {
        type Summary = { kubeconfig: string; kubeconfigs: Record<string, string> };
        const summary = JSON.parse(await firstLine(child)) as Summary;
        expect(summary.kubeconfig).to.equal(kubeconfig);
        expect(summary.kubeconfigs).to.deep.equal({
          admin: kubeconfig,
          "ocipam-system/ocipam-allocator": `${kubeconfig}-ocipam-allocator`,
          "ocipam-system/ocipam-node-agent": `${kubeconfig}-ocipam-node-agent`,
          "ocipam-system/ocipam-watcher": `${kubeconfig}-ocipam-watcher`,
        });
        const clientFor = (path: string) => {
          const kc = new k8s.KubeConfig();
          kc.loadFromFile(path);
          return kc.makeApiClient(k8s.CoreV1Api);
        };
        // The allocator may read Nodes; the watcher's role grants no access to Nodes (infra/kubernetes/rbac).
        const nodes = await clientFor(summary.kubeconfigs["ocipam-system/ocipam-allocator"]!).listNode();
        expect(nodes.items).to.be.an("array");
        const watcher = clientFor(summary.kubeconfigs["ocipam-system/ocipam-watcher"]!);
        const denied = await watcher.listNode().then(
          () => 200,
          (err: { code?: number }) => err.code,
        );
        expect(denied).to.equal(403);
      } finally {
        child.kill("SIGTERM");
      }
      const ran = await done;
      expect(ran.code).to.equal(0);
      for (const line of ran.stderr
        .trim()
        .split("\n")
        .filter((l) => l)) {
        expect(() => JSON.parse(line), line).not.to.throw();
      }
    });
  });

  describe("ocipam watch", () => {
    it("writes its JSON log lines to stderr and nothing to stdout", async () => {
      const oci = await startOciEmulator({ latency: "zero" });
      const kube = await startKubeEmulator();
      try {
        const written = oci.writeOciConfig(join(dir, "watch-oci"));
        const stream = oci.admin.snapshot().streams.find((s) => s.name === "ocipam-events")!;
        const kubeconfig = await kube.writeKubeconfig(join(dir, "watch-kubeconfig"), "ocipam-system/ocipam-watcher");
        const args = ["watch", "--kubeconfig", kubeconfig, "--oci-config", written.configPath, "--port", "0"];
        const child = startOcipam(args, {
          env: cleanEnv({
            OCIPAM_WATCHER_CLUSTER_NAME: "local",
            OCIPAM_WATCHER_STREAM_ID: String(stream.id),
            OCIPAM_WATCHER_STREAM_ENDPOINT: oci.endpoint,
            OCIPAM_WATCHER_METRICS_ADDRESS: "127.0.0.1",
            OCIPAM_WATCHER_LEADER_ELECTION: "false",
          }),
        });
        const done = collect(child);
        await outputUntil(child, (t) => t.includes("watcher started"), "stderr");
        // runWatcher installs its SIGTERM handler just after startWatcher logs "watcher started".
        await new Promise((r) => setTimeout(r, 500));
        child.kill("SIGTERM");
        const ran = await done;
        expect(ran.code).to.equal(0);
        expect(ran.stdout).to.equal("");
        const lines = ran.stderr
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { component: string; msg: string });
        expect(lines.map((l) => l.msg)).to.include.members(["watcher started", "watcher stopped"]);
        expect(new Set(lines.map((l) => l.component))).to.deep.equal(new Set(["watcher"]));
      } finally {
        await Promise.all([oci.close(), kube.close()]);
      }
    });
  });

  describe("ocipam local", () => {
    it("prints the report as JSON on stdout with --json, and with --quiet no progress on stderr", async () => {
      const ran = await runOcipam(["--quiet", "local", "--nodes", "1", "--time-scale", "0.05", "--json"]);
      const report = JSON.parse(ran.stdout) as { ok: boolean; nodes: number; scenario: string; safety: unknown[] };
      expect(report).to.include({ nodes: 1, scenario: "scale-up" });
      expect(report.safety).to.have.length.greaterThan(0);
      expect(ran.code).to.equal(report.ok ? 0 : 1);
      expect(ran.stderr).not.to.contain("sim  nodes");
    });

    it("stops the pipeline on Ctrl-C and exits 130, leaving no temporary file and no function process", async () => {
      const ownTmp = mkdtempSync(join(dir, "local-tmp-"));
      const child = startOcipam(["local", "--nodes", "1"], { env: cleanEnv({ TMPDIR: ownTmp }) });
      const done = collect(child);
      // Progress lines go to stderr once the pipeline runs: by then the bundle, sockets and keys exist.
      await outputUntil(child, (t) => t.includes("sim  nodes 1"), "stderr");
      const during = readdirSync(ownTmp).filter((f) => f.startsWith("ocipam"));
      expect(during).to.have.length(1);
      expect(readdirSync(join(ownTmp, during[0]!)).join(" ")).to.match(/ocipam-bundle-.* ocipam-fn-.*/);
      const functionProcesses = () =>
        readdirSync("/proc").filter((p) => /^\d+$/.test(p) && cmdline(p).includes(ownTmp));
      expect(functionProcesses()).to.have.length.greaterThan(0);
      child.kill("SIGINT");
      const ran = await done;
      expect(ran.code).to.equal(130);
      expect(ran.stdout).to.equal("");
      expect(readdirSync(ownTmp).filter((f) => f.startsWith("ocipam"))).to.deep.equal([]);
      expect(functionProcesses()).to.deep.equal([]);
    });
  });
});

/** A process's command line ("" when it is gone or not readable). */
function cmdline(pid: string): string {
  try {
    return readFileSync(join("/proc", pid, "cmdline"), "utf8");
  } catch {
    return "";
  }
}
