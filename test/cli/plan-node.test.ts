import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKubeEmulator, type KubeEmulator } from "../../lib/testbed/kube-emulator";
import { cleanEnv, runOcipam, startOcipam, outputUntil } from "./run-ocipam";

/**
 * `ocipam plan --node` against a live (emulated) cluster and OCI, the round trip to `plan --input`, and the exit
 * codes of `reconcile` when the allocator refuses a node or the configuration is wrong.
 */
describe("ocipam plan --node and reconcile exit codes, against `ocipam emulate oci` and a Kubernetes API", function () {
  this.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), "ocipam-plan-node-"));
  let emulator: ChildProcess;
  let env: Record<string, string>;
  let kube: KubeEmulator;
  let kubeconfig: string;

  before(async () => {
    emulator = startOcipam(["emulate", "oci", "--latency", "zero", "--print-env"], { env: cleanEnv({ TMPDIR: dir }) });
    emulator.stderr!.resume();
    const text = await outputUntil(emulator, (t) => t.includes("OCIPAM_OCI_REGION="));
    env = Object.fromEntries([...text.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
    kube = await startKubeEmulator();
    // The allocator's own least-privilege identity: planning must need no more than reconciling does.
    kubeconfig = await kube.writeKubeconfig(join(dir, "kubeconfig"), "ocipam-system/ocipam-allocator");
    const providerID = "oci://ocid1.instance.oc1.iad.emuinstance000001";
    const metadata = () => ({ name: "worker-1" });
    kube.store.create("nodes", { apiVersion: "v1", kind: "Node", metadata: metadata(), spec: { providerID } });
    const spec = { ipam: { "pre-allocate": 12 } };
    kube.store.create("ciliumnodes", { apiVersion: "cilium.io/v2", kind: "CiliumNode", metadata: metadata(), spec });
  });
  after(async () => {
    emulator?.kill("SIGTERM");
    await kube?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ocipam = (args: string[], extraEnv: Record<string, string> = {}) =>
    runOcipam([...args, "--kubeconfig", kubeconfig], {
      env: cleanEnv({ ...env, OCIPAM_LOG_LEVEL: "warn", ...extraEnv }),
    });
  const resourceVersion = (name: string) =>
    (kube.store.get("ciliumnodes", name)!.metadata as { resourceVersion: string }).resourceVersion;

  it("plans a live node without acting, and the saved observation replays to the same plan", async () => {
    const saved = join(dir, "worker-1.observed.json");
    const before = resourceVersion("worker-1");
    const live = await ocipam(["plan", "--node", "worker-1", "--save-observation", saved]);
    expect(live.code, live.stderr).to.equal(0);
    type Printed = { node: string; stats: { needed: number }; actions: Array<{ kind: string }> };
    const plan = JSON.parse(live.stdout) as Printed;
    expect(plan.node).to.equal("worker-1");
    expect(plan.stats.needed).to.equal(12);
    expect(plan.actions.map((a) => a.kind)).to.deep.equal(["assignIps", "writePool"]);
    expect(live.stderr).to.contain(`saved to ${saved}`);

    const replayed = await runOcipam(["plan", "--input", saved]);
    expect(replayed.code, replayed.stderr).to.equal(0);
    expect(JSON.parse(replayed.stdout)).to.deep.equal(plan);
    const observation = JSON.parse(readFileSync(saved, "utf8")) as { ciliumNode: { name: string } };
    expect(observation.ciliumNode.name).to.equal("worker-1");

    // Read-only: the CiliumNode is untouched, no Lease was taken, and OCI still lacks the IPs (a second look, in
    // words this time, plans the same creates).
    expect(resourceVersion("worker-1")).to.equal(before);
    expect(kube.store.list("leases")).to.deep.equal([]);
    const again = await ocipam(["plan", "--node", "worker-1", "--explain"]);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/^node worker-1 \(instance ocid1\.instance\.oc1\.iad\.emuinstance000001\)/);
    expect(again.stdout).to.contain("assign 12 secondary IPs on VNIC");
  });

  it("exits 1 when the allocator refuses the node, for plan --node and for reconcile", async () => {
    const plan = await ocipam(["plan", "--node", "ghost"]);
    expect(plan.code).to.equal(1);
    expect(JSON.parse(plan.stdout)).to.deep.include({ node: "ghost", outcome: "refused" });
    const reconcile = await ocipam(["reconcile", "ghost", "--json"]);
    expect(reconcile.code).to.equal(1);
    const reason = { code: "CiliumNodeNotFound", message: "CiliumNode ghost does not exist" };
    expect(JSON.parse(reconcile.stdout)).to.deep.include({ node: "ghost", outcome: "refused", reason });
  });

  it("prints only the result with --quiet: no plan explanation", async () => {
    const ran = await ocipam(["--quiet", "reconcile", "worker-1", "--dry-run"]);
    expect(ran.code, ran.stderr).to.equal(0);
    expect(ran.stdout).not.to.contain("decisions:");
    expect(JSON.parse(ran.stdout)).to.include({ outcome: "planned", node: "worker-1" });
  });

  it("exits 2 for a malformed configuration value, naming the key without repeating the value", async () => {
    const endpoint = "ftp://admin:hunter2-secret@oci.example.com";
    const ran = await ocipam(["reconcile", "worker-1"], { OCIPAM_OCI_ENDPOINT: endpoint });
    expect(ran.code).to.equal(2);
    expect(ran.stderr).to.contain("OCIPAM_OCI_ENDPOINT");
    expect(ran.stderr).not.to.contain("hunter2-secret");
    expect(ran.stdout).to.equal("");
  });
});
