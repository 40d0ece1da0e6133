import { expect } from "chai";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { startKubeEmulator, type KubeEmulator } from "../../lib/testbed/kube-emulator";

const OCIPAM = join(__dirname, "..", "..", "lib", "cli", "ocipam.cjs");
const run = promisify(execFile);

describe("ocipam reconcile against `ocipam emulate oci` and a Kubernetes API server", function () {
  this.timeout(90_000);
  let emulator: ChildProcess;
  let env: Record<string, string>;
  let kube: KubeEmulator;
  let kubeconfig: string;
  const dir = mkdtempSync(join(tmpdir(), "ocipam-cli-"));

  before(async () => {
    emulator = spawn(
      process.execPath,
      [OCIPAM, "emulate", "oci", "--latency", "zero", "--config-dir", join(dir, "oci")],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: emulator.stdout! }).once("line", resolve);
      emulator.once("exit", (code) => reject(new Error(`emulate oci exited with ${code}`)));
    });
    env = (JSON.parse(firstLine) as { env: Record<string, string> }).env;
    kube = await startKubeEmulator();
    kubeconfig = await kube.writeKubeconfig(join(dir, "kubeconfig"), "ocipam-system/ocipam-allocator");
    kube.store.create("nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "worker-1" },
      spec: { providerID: "oci://ocid1.instance.oc1.iad.emuinstance000001" },
    });
    kube.store.create("ciliumnodes", {
      apiVersion: "cilium.io/v2",
      kind: "CiliumNode",
      metadata: { name: "worker-1" },
      spec: { ipam: {} },
    });
  });
  after(async () => {
    emulator?.kill("SIGTERM");
    await kube?.close();
  });

  const reconcile = (args: string[], extraEnv: Record<string, string> = {}) =>
    run(process.execPath, [OCIPAM, "reconcile", "worker-1", "--kubeconfig", kubeconfig, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env, ...extraEnv },
    });

  it("plans from the exported env alone with --dry-run, touching nothing", async () => {
    const { stdout } = await reconcile(["--dry-run"]);
    expect(stdout).to.contain("assign 8 secondary IPs on VNIC ocid1.vnic.oc1.iad.emuvnic000001");
    const result = JSON.parse(stdout.slice(stdout.lastIndexOf("\n{") + 1));
    expect(result).to.include({ outcome: "planned", node: "worker-1" });
    expect(kube.store.get("ciliumnodes", "worker-1")!.spec).to.deep.equal({ ipam: {} });
  });

  it("reconciles the node for real, reading keys from --config over the environment", async () => {
    const configFile = join(dir, "allocator.env");
    writeFileSync(configFile, "# allocator settings\nOCIPAM_IPS_PER_VNIC=31\nOCIPAM_LOG_LEVEL=error\n");
    const { stdout } = await reconcile(["--config", configFile, "--json"]);
    const result = JSON.parse(stdout.trim());
    expect(result).to.include({ outcome: "reconciled", state: "Ready", ipsCreated: 8 });
    expect(
      Object.keys((kube.store.get("ciliumnodes", "worker-1") as { spec: { ipam: { pool: object } } }).spec.ipam.pool),
    ).to.have.length(8);
  });

  it("names the bad key when the configuration is wrong", async () => {
    let stderr = "";
    try {
      await reconcile([], { OCIPAM_FIRST_INTERFACE_INDEX: "first" });
    } catch (err) {
      stderr = (err as { stderr: string }).stderr;
    }
    expect(stderr).to.match(/OCIPAM_FIRST_INTERFACE_INDEX: must be an integer/);
  });
});
