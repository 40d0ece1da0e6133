import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeEmulator } from "../../lib/testbed/kube-emulator";
import { ciliumNode, startEmulator, waitFor, WATCHER } from "./helpers";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe("kube emulator: kubectl get / patch / delete / get -w", function () {
  this.timeout(30_000);
  let emu: KubeEmulator;
  let dir: string;
  let admin: string;
  let watcher: string;

  /** Runs kubectl (no shell) with a kubeconfig and a private discovery cache. */
  function kubectl(kubeconfig: string, ...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        "kubectl",
        ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), "--request-timeout=10s", ...args],
        { timeout: 20_000, env: { ...process.env, HOME: dir } },
        (err, stdout, stderr) =>
          resolve({
            code: err ? Number((err as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) : 0,
            stdout,
            stderr,
          }),
      );
    });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kube-emu-kubectl-"));
    emu = await startEmulator();
    admin = await emu.writeKubeconfig(join(dir, "admin.kubeconfig"), "admin");
    watcher = await emu.writeKubeconfig(join(dir, "watcher.kubeconfig"), WATCHER);
    emu.store.create(
      "cn",
      ciliumNode("kc-node", {
        addresses: [
          { type: "InternalIP", ip: "10.0.0.5" },
          { type: "CiliumInternalIP", ip: "10.1.0.1" },
        ],
      }),
    );
  });
  after(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints CiliumNodes with the CRD's printer columns (server-side Table)", async () => {
    const run = await kubectl(admin, "get", "ciliumnodes");
    expect(run.stderr).to.equal("");
    const [header, row] = run.stdout.trim().split("\n");
    expect(header.split(/\s+/)).to.deep.equal(["NAME", "CILIUMINTERNALIP", "INTERNALIP", "AGE"]);
    expect(row.split(/\s+/).slice(0, 3)).to.deep.equal(["kc-node", "10.1.0.1", "10.0.0.5"]);
  });

  it("gets one object by short name as JSON", async () => {
    const run = await kubectl(admin, "get", "cn", "kc-node", "-o", "json");
    const obj = JSON.parse(run.stdout) as { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
    expect(obj.kind).to.equal("CiliumNode");
    expect(obj.spec["instance-id"]).to.equal("ocid1.instance.oc1..kc-node");
  });

  it("patches with --type merge and reports a 422 in kubectl's words", async () => {
    const ok = await kubectl(
      admin,
      "patch",
      "cn",
      "kc-node",
      "--type",
      "merge",
      "-p",
      '{"spec":{"ipam":{"pre-allocate":4}}}',
    );
    expect(ok.stdout.trim()).to.equal("ciliumnode.cilium.io/kc-node patched");
    expect(
      (emu.store.get("cn", "kc-node") as { spec: { ipam: Record<string, unknown> } }).spec.ipam["pre-allocate"],
    ).to.equal(4);
    const bad = await kubectl(
      admin,
      "patch",
      "cn",
      "kc-node",
      "--type",
      "merge",
      "-p",
      '{"spec":{"ipam":{"pre-allocate":-1}}}',
    );
    expect(bad.code).to.not.equal(0);
    expect(bad.stderr).to.include(
      'The CiliumNode "kc-node" is invalid: spec.ipam.pre-allocate: Invalid ' +
        "value: -1: spec.ipam.pre-allocate in body should be greater than or " +
        "equal to 0",
    );
  });

  it("fails a default (strategic merge) patch on a custom resource with the server's 415 message", async () => {
    const run = await kubectl(admin, "patch", "cn", "kc-node", "-p", '{"spec":{"ipam":{"pre-allocate":5}}}');
    expect(run.code).to.not.equal(0);
    expect(run.stderr).to.include(
      "the body of the request was in an unknown format - accepted media " +
        "types include: application/json-patch+json, " +
        "application/merge-patch+json, application/apply-patch+yaml",
    );
  });

  it("shows the 403 of the watcher's least-privilege role (list and watch, no get, no writes)", async () => {
    // kubectl patch reads the object first (GET), which the watcher may not: the 403 names get.
    const run = await kubectl(
      watcher,
      "patch",
      "cn",
      "kc-node",
      "--type",
      "merge",
      "-p",
      '{"spec":{"ipam":{"pre-allocate":5}}}',
    );
    expect(run.code).to.not.equal(0);
    expect(run.stderr.trim()).to.equal(
      'Error from server (Forbidden): ciliumnodes.cilium.io "kc-node" is ' +
        'forbidden: User "system:serviceaccount:ocipam-system:ocipam-watcher" ' +
        'cannot get resource "ciliumnodes" in API group "cilium.io" at the ' +
        "cluster scope",
    );
    const list = await kubectl(watcher, "get", "cn", "-o", "name");
    expect(list.stdout.trim().split("\n")).to.include("ciliumnode.cilium.io/kc-node");
  });

  it("answers kubectl auth can-i (a protobuf SelfSubjectAccessReview) from the project's RBAC", async () => {
    const ask = async (...args: string[]) => (await kubectl(watcher, "auth", "can-i", ...args)).stdout.trim();
    expect(await ask("watch", "ciliumnodes")).to.equal("yes");
    expect(await ask("patch", "ciliumnodes")).to.equal("no");
    expect(await ask("get", "ciliumnodes")).to.equal("no");
    expect(await ask("update", "leases", "-n", "ocipam-system")).to.equal("yes");
    expect(await ask("update", "leases", "-n", "default")).to.equal("no");
  });

  it(
    "creates and applies manifests with server-side strict field " +
      "validation (OpenAPI v3 advertises fieldValidation)",
    async () => {
      const file = join(dir, "cn.yaml");
      writeFileSync(
        file,
        "apiVersion: cilium.io/v2\nkind: CiliumNode\nmetadata:\n  name: kc-applied\nspec:\n  instance-id: a\n",
      );
      expect((await kubectl(admin, "create", "-f", file)).stdout.trim()).to.equal(
        "ciliumnode.cilium.io/kc-applied created",
      );
      writeFileSync(
        file,
        "apiVersion: cilium.io/v2\nkind: CiliumNode\nmetadata:\n  name: kc-applied\nspec:\n  instance-id: b\n",
      );
      expect((await kubectl(admin, "apply", "-f", file)).stdout.trim()).to.equal(
        "ciliumnode.cilium.io/kc-applied configured",
      );
      expect((emu.store.get("cn", "kc-applied") as { spec: Record<string, unknown> }).spec["instance-id"]).to.equal(
        "b",
      );
      writeFileSync(
        file,
        "apiVersion: cilium.io/v2\nkind: CiliumNode\nmetadata:\n  name: kc-strict\nspec:\n  oci: {}\n",
      );
      const strict = await kubectl(admin, "create", "-f", file);
      expect(strict.code).to.not.equal(0);
      expect(strict.stderr).to.include('strict decoding error: unknown field "spec.oci"');
    },
  );

  it("watches with get -w: prints the current row, then the change, until it is stopped", async () => {
    const child = spawn(
      "kubectl",
      ["--kubeconfig", admin, "--cache-dir", join(dir, "cache"), "--request-timeout=20s", "get", "oin", "-w"],
      {
        env: { ...process.env, HOME: dir },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) =>
      child.on("exit", (code, signal) => r(code ?? (signal ? -1 : null))),
    );
    try {
      emu.store.create("ociipamnodes", {
        apiVersion: "ocipam.io/v1alpha1",
        kind: "OciIpamNode",
        metadata: { name: "kc-oin" },
        spec: { nodeName: "kc-oin" },
      });
      await waitFor(() => out.includes("kc-oin"), 10_000, "the initial row");
      await waitFor(() => emu.store.openWatchCount() > 0, 10_000, "kubectl watching");
      emu.store.patch(
        "ociipamnodes",
        "kc-oin",
        {
          status: {
            state: "Ready",
            reason: "PoolFilled",
            counts: { vnicsAttached: 2, available: 8, used: 3, needed: 0 },
          },
        },
        { subresource: "status" },
      );
      await waitFor(() => /kc-oin\s+Ready\s+PoolFilled\s+2\s+8\s+3\s+0/.test(out), 10_000, "the changed row");
      const lines = out.trim().split("\n");
      expect(lines[0].split(/\s+/)).to.deep.equal([
        "NAME",
        "STATE",
        "REASON",
        "VNICS",
        "AVAILABLE",
        "USED",
        "NEEDED",
        "AGE",
      ]);
    } finally {
      child.kill("SIGTERM");
    }
    await exited;
  });

  it("deletes and then finds nothing", async () => {
    const del = await kubectl(admin, "delete", "cn", "kc-node");
    expect(del.stdout.trim()).to.equal('ciliumnode.cilium.io "kc-node" deleted');
    expect(emu.store.get("cn", "kc-node")).to.equal(undefined);
    const get = await kubectl(admin, "get", "cn", "kc-node");
    expect(get.code).to.not.equal(0);
    expect(get.stderr.trim()).to.equal('Error from server (NotFound): ciliumnodes.cilium.io "kc-node" not found');
  });
});
