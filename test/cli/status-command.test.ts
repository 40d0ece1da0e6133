import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startKubeEmulator, type KubeEmulator } from "../../lib/testbed/kube-emulator";

const OCIPAM = join(__dirname, "..", "..", "lib", "cli", "ocipam.cjs");
const run = promisify(execFile);

describe("ocipam status", function () {
  this.timeout(60_000);
  let kube: KubeEmulator;
  let kubeconfig: string;

  before(async () => {
    kube = await startKubeEmulator();
    kubeconfig = await kube.writeKubeconfig(join(mkdtempSync(join(tmpdir(), "ocipam-status-")), "kubeconfig"), "admin");
    kube.store.create("nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "worker-a", labels: { "node.kubernetes.io/instance-type": "VM.Standard.E4.Flex" } },
      spec: { providerID: "oci://ocid1.instance.oc1.iad.aaa" },
    });
    const pool = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`10.0.1.${10 + i}`, { resource: "ocid1.vnic.oc1.iad.v1" }]),
    );
    const used = Object.fromEntries(
      Object.keys(pool)
        .slice(0, 6)
        .map((ip, i) => [ip, { owner: `default/p${i}`, resource: "ocid1.vnic.oc1.iad.v1" }]),
    );
    kube.store.create(
      "ciliumnodes",
      {
        apiVersion: "cilium.io/v2",
        kind: "CiliumNode",
        metadata: { name: "worker-a" },
        spec: { ipam: { pool, "pre-allocate": 8 } },
        status: { ipam: { used } },
      },
      { keepStatus: true },
    );
    kube.store.create(
      "ociipamnodes",
      {
        apiVersion: "ocipam.io/v1alpha1",
        kind: "OciIpamNode",
        metadata: { name: "worker-a" },
        spec: { instanceId: "ocid1.instance.oc1.iad.aaa", nodeName: "worker-a" },
        status: {
          state: "Ready",
          reason: "Allocated",
          message: "",
          lastReconcileTime: new Date().toISOString(),
          counts: { available: 10, used: 6, needed: 4, excess: 0, maxAllocatable: 62, vnicsAttached: 1, vnicSlots: 2 },
          vnics: [],
          release: { firstSeenExcess: {} },
        },
      },
      { keepStatus: true },
    );
    kube.store.create("ciliumnodes", {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNode",
      metadata: { name: "worker-b" },
      spec: { ipam: {} },
    });
  });
  after(async () => kube?.close());

  it("prints one row per CiliumNode joining the Node, the CiliumNode and the OciIpamNode record", async () => {
    const { stdout } = await run(process.execPath, [OCIPAM, "status", "--kubeconfig", kubeconfig]);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).to.match(/^NODE\s+INSTANCE\s+SHAPE\s+VNICS\s+POOL\s+USED\s+NEEDED\s+STATE\s+REASON$/);
    expect(lines[1]).to.match(
      /^worker-a\s+ocid1\.instance\.oc1\.iad\.aaa\s+VM\.Standard\.E4\.Flex\s+1\/2\s+10\s+6\s+4\s+Ready\s+Allocated$/,
    );
    expect(lines[2]).to.match(/^worker-b\s+-\s+-\s+-\s+0\s+0\s+8\s+Pending$/);
    expect(stdout).to.contain("2 nodes, pool 10, used 6, needed 12");
  });

  it("prints the same rows as JSON with --json", async () => {
    const { stdout } = await run(process.execPath, [OCIPAM, "status", "--kubeconfig", kubeconfig, "--json"]);
    const rows = JSON.parse(stdout) as Array<{ node: string; needed: number; state: string }>;
    expect(rows.map((r) => [r.node, r.needed, r.state])).to.deep.equal([
      ["worker-a", 4, "Ready"],
      ["worker-b", 8, "Pending"],
    ]);
  });
});
