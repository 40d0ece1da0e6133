import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { KubeEmulator } from "../../lib/testbed/kube-emulator";
import { startEmulator, waitFor } from "./helpers";

const REPO = join(__dirname, "..", "..");
const NS = "ocipam-system";
const run = promisify(execFile);

const tokenSecret = (name: string, account: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: NS, annotations: { "kubernetes.io/service-account.name": account } },
  type: "kubernetes.io/service-account-token",
});
const account = (name: string) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: NS } });

function tokenOf(emu: KubeEmulator, secret: string): string | undefined {
  const data = emu.store.get("secrets", secret, NS)?.data as { token?: string } | undefined;
  return data?.token ? Buffer.from(data.token, "base64").toString("utf8") : undefined;
}

/** Status of a request to a resource the allocator may list, with `token` as its bearer token. */
async function statusWith(emu: KubeEmulator, token: string): Promise<number> {
  const headers = { authorization: `Bearer ${token}` };
  const res = await fetch(`${emu.endpoint}/apis/cilium.io/v2/ciliumnodes`, { headers });
  await res.arrayBuffer();
  return res.status;
}

describe("kube emulator: the service-account token controller", function () {
  this.timeout(30_000);

  describe("with an empty ocipam-system namespace", () => {
    let emu: KubeEmulator;
    beforeEach(async () => {
      emu = await startEmulator({ manifestDirs: [join(REPO, "infra", "kubernetes", "crds")] });
      emu.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    });
    afterEach(() => emu.close());

    it("deletes a token Secret created while its ServiceAccount does not exist, and never fills it", async () => {
      emu.store.create("secrets", tokenSecret("early-token", "not-yet"));
      expect(tokenOf(emu, "early-token")).to.equal(undefined);
      const gone = () => emu.store.get("secrets", "early-token", NS) === undefined;
      await waitFor(gone, 2000, "the orphan token Secret to be deleted");
      emu.store.create("serviceaccounts", account("not-yet"));
      await new Promise((r) => setImmediate(r));
      expect(emu.store.get("secrets", "early-token", NS)).to.equal(undefined);
    });

    it("fills a token Secret created after its ServiceAccount, and deletes it with the ServiceAccount", async () => {
      emu.store.create("serviceaccounts", account("app"));
      emu.store.create("secrets", tokenSecret("app-token", "app"));
      const token = tokenOf(emu, "app-token")!;
      expect(token).to.be.a("string").with.length.greaterThan(20);
      await new Promise((r) => setImmediate(r));
      expect(emu.store.get("secrets", "app-token", NS)).to.not.equal(undefined);
      emu.store.delete("serviceaccounts", "app", NS);
      const gone = () => emu.store.get("secrets", "app-token", NS) === undefined;
      await waitFor(gone, 2000, "the token Secret of the deleted account to go");
    });

    it("creates the allocator's ServiceAccount before its token when kubectl applies the rbac directory", async () => {
      const dir = mkdtempSync(join(tmpdir(), "token-controller-"));
      try {
        const kubeconfig = await emu.writeKubeconfig(join(dir, "kc"), "admin");
        await run("kubectl", ["--kubeconfig", kubeconfig, "apply", "-f", join(REPO, "infra", "kubernetes", "rbac")]);
        await new Promise((r) => setTimeout(r, 50));
        const token = tokenOf(emu, "ocipam-allocator-token");
        expect(token, "data.token of ocipam-allocator-token").to.be.a("string");
        expect(await statusWith(emu, token!)).to.equal(200);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("rotation", () => {
    let emu: KubeEmulator;
    before(async () => {
      emu = await startEmulator();
    });
    after(() => emu.close());

    it("gives a re-created token Secret a new token; the old one then answers 401 and the new one works", async () => {
      const before = tokenOf(emu, "ocipam-allocator-token")!;
      expect(await statusWith(emu, before)).to.equal(200);
      emu.store.delete("secrets", "ocipam-allocator-token", NS);
      expect(await statusWith(emu, before)).to.equal(401);
      emu.store.create("secrets", tokenSecret("ocipam-allocator-token", "ocipam-allocator"));
      const after = tokenOf(emu, "ocipam-allocator-token")!;
      expect(after).to.not.equal(before);
      expect(await statusWith(emu, before)).to.equal(401);
      expect(await statusWith(emu, after)).to.equal(200);
    });
  });
});
