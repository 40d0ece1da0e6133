import { expect } from "chai";
import { build } from "esbuild";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProgram } from "../../lib/cli/main";
import { FakeKubeApi } from "./fake-kube-api";
import { FakeNode } from "./fake-node";
import { VNICS } from "./fixtures";
import { FakeImds } from "./imds-server";

/**
 * The shipped artifact as an operator runs it: the image's build step (infra/kubernetes/node-agent/Dockerfile)
 * bundles lib/node-agent/cli-entry.ts with esbuild; the bundle runs alone with a kubeconfig file, an IMDS URL and
 * the real `ip` aimed at the fake node.
 */
describe("ocipam node-agent, the bundled command (network namespaces)", function () {
  this.timeout(30_000);
  let bundleDir: string;
  let fake: FakeNode;
  let imds: FakeImds;
  let api: FakeKubeApi;
  let kubeconfig: string;

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [join(bundleDir, "node-agent.cjs"), ...args],
        { encoding: "utf8", timeout: 20_000, env: { PATH: process.env.PATH } },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  before(async () => {
    bundleDir = await mkdtemp(join(tmpdir(), "ocipam-node-agent-"));
    await build({
      entryPoints: [join(__dirname, "..", "..", "lib", "node-agent", "cli-entry.ts")],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      outfile: join(bundleDir, "node-agent.cjs"),
      logLevel: "silent",
    });
    kubeconfig = join(bundleDir, "kubeconfig");
  });
  after(async () => {
    if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
  });

  it("is registered in the ocipam command line", () => {
    expect(buildProgram().commands.map((c) => c.name())).to.include("node-agent");
  });

  it("prints help, and refuses to start without a node name", async () => {
    const help = await run(["node-agent", "--help"]);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain("--egress-cidr <cidr>");
    const missing = await run(["node-agent", "--once"]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain("config node-name: required (or set NODE_NAME)");
  });

  describe("against a fake node, a fake API server and a fake metadata service", () => {
    before(async () => {
      await FakeNode.requireSupport();
    });
    beforeEach(async () => {
      imds = await new FakeImds().start();
      imds.vnics = VNICS.slice(0, 2);
      api = await new FakeKubeApi().start();
      api.put("worker-1", { "10.0.1.20": "ocid1.vnic.oc1..second", "10.0.0.30": "ocid1.vnic.oc1..primary" });
      await writeFile(
        kubeconfig,
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          "current-context": "x",
          clusters: [{ name: "c", cluster: { server: api.url, "insecure-skip-tls-verify": true } }],
          users: [{ name: "u", user: { token: "t" } }],
          contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
        }),
      );
      fake = await FakeNode.create();
    });
    afterEach(async () => {
      await fake?.destroy();
      await imds?.close();
      await api?.close();
    });

    it("prints the planned changes with --dry-run without applying them, then applies them with --once", async () => {
      const args = [
        "node-agent",
        "--node-name",
        "worker-1",
        "--kubeconfig",
        kubeconfig,
        "--imds-url",
        imds.url,
        "--netns",
        fake.node,
      ];
      const dry = await run([...args, "--dry-run"]);
      expect(dry.code, dry.stderr).to.equal(0);
      const planned = JSON.parse(dry.stdout) as { outcome: string; ops: Array<{ kind: string }> };
      expect(planned.ops.map((o) => o.kind)).to.deep.equal([
        "setLinkMtu",
        "setLinkUp",
        "replaceRoute",
        "replaceRoute",
        "addRule",
        "addRule",
      ]);
      expect(await fake.ip(fake.node, "rule", "show")).to.not.contain("10.0.1.20");

      const real = await run([...args, "--once"]);
      expect(real.code, real.stderr).to.equal(0);
      expect((JSON.parse(real.stdout) as { outcome: string }).outcome).to.equal("applied");
      expect(await fake.ip(fake.node, "rule", "show")).to.contain("111:\tfrom 10.0.1.20 lookup 11 proto 165");
      expect(await fake.ping("10.0.1.20", 3)).to.equal(3);
      const cnRequests = api.requests.filter((u) => u.pathname === "/apis/cilium.io/v2/ciliumnodes");
      expect(cnRequests.every((u) => u.searchParams.get("fieldSelector") === "metadata.name=worker-1")).to.equal(true);
    });

    const once = () => [
      "node-agent",
      "--once",
      "--node-name",
      "worker-1",
      "--kubeconfig",
      kubeconfig,
      "--imds-url",
      imds.url,
      "--netns",
      fake.node,
    ];

    it(
      "restricts egress to Cilium's native routing CIDR when Cilium " + "masquerades, read from cilium-config",
      async () => {
        api.ciliumConfig = { "enable-ipv4-masquerade": "true", "ipv4-native-routing-cidr": "10.0.0.0/16" };
        const real = await run(once());
        expect(real.code, real.stderr).to.equal(0);
        const rules = await fake.ip(fake.node, "rule", "show");
        expect(rules).to.contain("111:\tfrom 10.0.1.20 to 10.0.0.0/16 lookup 11 proto 165");
        expect(rules).to.not.contain("111:\tfrom 10.0.1.20 lookup 11");
        // The pod still reaches the VCN (its VNIC's router) with its own address.
        expect(await fake.ping("10.0.1.20", 3)).to.equal(3);
        expect(real.stderr).to.contain("Cilium masquerades IPv4 except to ipv4-native-routing-cidr 10.0.0.0/16");
      },
    );

    it(
      "refuses to start, changing nothing, when cilium-config cannot be read " + "and no --egress-cidr is given",
      async () => {
        api.ciliumConfig = undefined;
        const result = await run(once());
        expect(result.code).to.equal(1);
        expect(result.stderr).to.contain("cannot read ConfigMap kube-system/cilium-config");
        expect(await fake.ip(fake.node, "rule", "show")).to.not.contain("proto 165");
        const flagged = await run([...once(), "--egress-cidr", "10.0.0.0/16,192.168.0.0/20"]);
        expect(flagged.code, flagged.stderr).to.equal(0);
        const rules = await fake.ip(fake.node, "rule", "show");
        expect(rules).to.contain("from 10.0.1.20 to 10.0.0.0/16 lookup 11 proto 165");
        expect(rules).to.contain("from 10.0.1.20 to 192.168.0.0/20 lookup 11 proto 165");
      },
    );

    it("exits non-zero and changes nothing when the metadata service fails", async () => {
      imds.status = 503;
      const result = await run([
        "node-agent",
        "--once",
        "--node-name",
        "worker-1",
        "--kubeconfig",
        kubeconfig,
        "--imds-url",
        imds.url,
        "--netns",
        fake.node,
      ]);
      expect(result.code).to.equal(1);
      expect((JSON.parse(result.stdout) as { outcome: string }).outcome).to.equal("metadataUnavailable");
      expect(await fake.ip(fake.node, "rule", "show")).to.not.contain("proto 165");
    });
  });
});
