import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import * as common from "oci-common";
import { CiliumNodesAdapter } from "../../../lib/adapters/kube/cilium-nodes";
import { buildKubeConfig, createKubeClients } from "../../../lib/adapters/kube/clients";
import { ConfigError } from "../../../lib/errors";
import { startKubeEmulator, type KubeEmulator } from "../../../lib/testbed/kube-emulator";
import { KubeApiError } from "../../../lib/ports/kube-errors";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const signer = new common.SimpleAuthenticationDetailsProvider(
  "ocid1.tenancy.oc1..t",
  "ocid1.user.oc1..u",
  "aa:bb",
  privateKey,
  null,
);
const oke = {
  kind: "oke" as const,
  clusterId: "ocid1.cluster.oc1.iad.c1",
  region: "us-ashburn-1",
  server: "https://10.0.0.10:6443",
  signer,
};

describe("Kubernetes client construction", () => {
  it("allows a plain-http server for a token by skipping TLS verification (client-node refuses http otherwise)", () => {
    const kc = buildKubeConfig({ kind: "token", server: "http://127.0.0.1:8080/", token: "t" });
    expect(kc.getCurrentCluster()).to.include({ server: "http://127.0.0.1:8080", skipTLSVerify: true });
    expect(kc.getCurrentUser()?.token).to.equal("t");
  });

  it("verifies TLS against the given CA for an https server", () => {
    const kc = buildKubeConfig({
      kind: "token",
      server: "https://10.0.0.10:6443",
      token: "t",
      caPem: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
    });
    const cluster = kc.getCurrentCluster();
    expect(cluster?.skipTLSVerify).to.equal(false);
    expect(Buffer.from(cluster?.caData ?? "", "base64").toString()).to.contain("BEGIN CERTIFICATE");
  });

  it("rejects an empty token, a malformed server and a non-positive timeout as configuration errors", () => {
    expect(() => buildKubeConfig({ kind: "token", server: "https://x", token: "" })).to.throw(ConfigError);
    expect(() => buildKubeConfig({ kind: "token", server: "not a url", token: "t" })).to.throw(ConfigError);
    expect(() => createKubeClients({ kind: "token", server: "https://x", token: "t", requestTimeoutMs: 0 })).to.throw(
      ConfigError,
    );
  });

  it("puts a fresh OKE token on requests made with the OKE access kind (watches included)", async () => {
    const kc = buildKubeConfig(oke);
    const opts = await kc.applyToFetchOptions({});
    const auth = (opts.headers as unknown as { get(name: string): string | null }).get("Authorization") ?? "";
    expect(auth).to.match(/^Bearer [A-Za-z0-9_-]+=*$/);
    const url = new URL(
      Buffer.from(auth.slice("Bearer ".length).replace(/-/g, "+").replace(/_/g, "/"), "base64").toString(),
    );
    expect(url.host).to.equal("containerengine.us-ashburn-1.oraclecloud.com");
    expect(url.pathname).to.equal("/cluster_request/ocid1.cluster.oc1.iad.c1");
  });

  describe("against the emulator", () => {
    let emu: KubeEmulator;
    let dir: string;
    before(async () => {
      emu = await startKubeEmulator();
      dir = await mkdtemp(join(tmpdir(), "ocipam-kube-"));
    });
    after(async () => {
      await emu?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("works from a kubeconfig file for the allocator's ServiceAccount", async () => {
      const path = await emu.writeKubeconfig(join(dir, "kubeconfig"), "ocipam-system/ocipam-allocator");
      const clients = createKubeClients({ kind: "kubeconfig", path });
      expect(await new CiliumNodesAdapter(clients.customObjects).get("absent")).to.equal(undefined);
    });

    it("rejects a kubeconfig context that does not exist", async () => {
      const path = await emu.writeKubeconfig(join(dir, "kubeconfig2"), "ocipam-system/ocipam-allocator");
      expect(() => createKubeClients({ kind: "kubeconfig", path, context: "nope" })).to.throw(ConfigError, /nope/);
    });

    it("sends the OKE token on API calls (the emulator, not being OKE, answers 401 Unauthorized)", async () => {
      const clients = createKubeClients({ ...oke, server: emu.endpoint });
      const err = await new CiliumNodesAdapter(clients.customObjects).get("x").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(KubeApiError);
      expect((err as KubeApiError).code).to.equal(401);
    });
  });
});
