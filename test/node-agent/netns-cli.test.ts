import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeKubeApi } from "./fake-kube-api";
import { FakeNode } from "./fake-node";
import { VNICS } from "./fixtures";
import { FakeImds } from "./imds-server";

const CLI = join(__dirname, "..", "..", "lib", "cli", "ocipam.cjs");

function ocipam(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000, encoding: "utf8" }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `ocipam node-agent --once` as an operator runs it: kubeconfig file, IMDS URL, real `ip` in the fake node. */
describe("ocipam node-agent --once (network namespaces)", function () {
  this.timeout(30_000);
  let fake: FakeNode;
  let imds: FakeImds;
  let api: FakeKubeApi;
  let dir: string;

  before(async () => {
    await FakeNode.requireSupport();
  });
  beforeEach(async () => {
    imds = await new FakeImds().start();
    imds.vnics = VNICS.slice(0, 2);
    api = await new FakeKubeApi().start();
    api.put("worker-1", { "10.0.1.20": "ocid1.vnic.oc1..second", "10.0.0.30": "ocid1.vnic.oc1..primary" });
    dir = await mkdtemp(join(tmpdir(), "ocipam-node-agent-"));
    await writeFile(
      join(dir, "kubeconfig"),
      JSON.stringify({
        apiVersion: "v1", kind: "Config", "current-context": "x",
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
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("prints the planned changes with --dry-run without applying them, then applies them with --once", async () => {
    const args = ["node-agent", "--node-name", "worker-1", "--kubeconfig", join(dir, "kubeconfig"), "--imds-url", imds.url, "--netns", fake.node];
    const dry = await ocipam([...args, "--dry-run"]);
    expect(dry.code, dry.stderr).to.equal(0);
    const planned = JSON.parse(dry.stdout) as { outcome: string; ops: Array<{ kind: string }> };
    expect(planned.ops.map((o) => o.kind)).to.deep.equal(["setLinkMtu", "setLinkUp", "replaceRoute", "replaceRoute", "addRule", "addRule"]);
    expect(await fake.ip(fake.node, "rule", "show")).to.not.contain("10.0.1.20");

    const real = await ocipam([...args, "--once"]);
    expect(real.code, real.stderr).to.equal(0);
    expect((JSON.parse(real.stdout) as { outcome: string }).outcome).to.equal("applied");
    expect(await fake.ip(fake.node, "rule", "show")).to.contain("111:\tfrom 10.0.1.20 lookup 11 proto 165");
    expect(await fake.ping("10.0.1.20", 3)).to.equal(3);
    expect(api.requests.every((u) => u.searchParams.get("fieldSelector") === "metadata.name=worker-1")).to.equal(true);
  });

  it("exits non-zero and changes nothing when the metadata service fails", async () => {
    imds.status = 503;
    const run = await ocipam(["node-agent", "--once", "--node-name", "worker-1", "--kubeconfig", join(dir, "kubeconfig"), "--imds-url", imds.url, "--netns", fake.node]);
    expect(run.code).to.equal(1);
    expect((JSON.parse(run.stdout) as { outcome: string }).outcome).to.equal("metadataUnavailable");
    expect(await fake.ip(fake.node, "rule", "show")).to.not.contain("proto 165");
  });
});
