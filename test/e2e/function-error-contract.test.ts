import { expect } from "chai";
import type { InvocationResult } from "../../functions/allocator/invocation-result";
import { invokeOverSocket } from "../../lib/testbed/local/fdk-client";
import { startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import { connectorBatch, FunctionUnderTest, nudgeFor } from "./function-harness";

const NS = "ocipam-system";
let calls = 0;

/** One invocation over the Fn socket as the Fn agent makes it; the status and body as they come back. */
async function call(fut: FunctionUnderTest, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const options = { callId: `contract-${++calls}`, deadline: new Date(Date.now() + 30_000) };
  const res = await invokeOverSocket(fut.fn.socketPath, JSON.stringify(body), options);
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

const resultOf = (answer: { body: Record<string, unknown> }) => answer.body as unknown as InvocationResult;

/** The token the token controller wrote into the allocator's token Secret (what the operator copies to Vault). */
function secretToken(cluster: LocalCluster): string {
  const data = cluster.kube.store.get("secrets", "ocipam-allocator-token", NS)?.data as { token?: string } | undefined;
  if (!data?.token) throw new Error("ocipam-allocator-token has no token");
  return Buffer.from(data.token, "base64").toString("utf8");
}

/** infra/README.md's rotation: delete the token Secret and apply it again; the controller fills a new token. */
function rotateKubernetesToken(cluster: LocalCluster): string {
  cluster.kube.store.delete("secrets", "ocipam-allocator-token", NS);
  cluster.kube.store.create("secrets", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "ocipam-allocator-token",
      namespace: NS,
      annotations: { "kubernetes.io/service-account.name": "ocipam-allocator" },
    },
    type: "kubernetes.io/service-account-token",
  });
  return secretToken(cluster);
}

describe("the allocator function's error contract over the FDK socket", function () {
  this.timeout(60_000);
  let cluster: LocalCluster;

  before(async () => {
    cluster = await startLocalCluster({ latency: "zero" });
  });
  after(() => cluster?.close());

  describe("per-record outcomes", () => {
    let fn: FunctionUnderTest;
    before(async () => {
      fn = await FunctionUnderTest.start(cluster);
    });
    after(() => fn?.stop());

    it("answers 200 with each record's outcome in the body when a record is bad and a node is refused", async () => {
      await cluster.launchNode("contract-ok", { ocpus: 2 });
      const notBase64 = { ...connectorBatch(["x"], cluster.streamId)[0]!, offset: 9, value: "!!!" };
      const batch = [...connectorBatch(["contract-ok", "contract-ghost"], cluster.streamId), notBase64];
      const { status, body } = await call(fn, batch);
      expect(status).to.equal(200);
      const result = body as unknown as InvocationResult;
      expect(result.nodes.map((n) => [n.node, n.outcome])).to.deep.equal([
        ["contract-ok", "reconciled"],
        ["contract-ghost", "refused"],
      ]);
      expect(result.skipped.map((s) => s.reason)).to.deep.equal(["InvalidBase64"]);
      expect(result.error).to.equal(undefined);
    });
  });

  describe("failures of the whole invocation answer 502, so Connector Hub delivers the batch again", () => {
    for (const [what, config, reason, mentions] of [
      ["its configuration is wrong", { OCIPAM_IPS_PER_VNIC: "lots" }, "InvalidConfig", "OCIPAM_IPS_PER_VNIC"],
      [
        "the Vault secret cannot be read",
        { OCIPAM_KUBE_TOKEN_SECRET_ID: "ocid1.vaultsecret.oc1.iad.doesnotexist" },
        "OciNotAuthorizedOrNotFound",
        "GetSecretBundle",
      ],
      [
        "the Kubernetes API does not answer",
        { OCIPAM_KUBE_API_SERVER: "http://127.0.0.1:1" },
        "KubeUnreachable",
        "connection failed",
      ],
    ] as const) {
      it(`answers 502 naming ${reason} when ${what}`, async () => {
        const fn = await FunctionUnderTest.start(cluster, config);
        try {
          await cluster.launchNode(`contract-${reason.toLowerCase()}`, { ocpus: 2 });
          const { status, body } = await call(fn, nudgeFor(`contract-${reason.toLowerCase()}`));
          expect(status).to.equal(502);
          expect(body.message).to.equal("Exception in function, consult logs for details");
          expect(String(body.detail)).to.match(new RegExp(`^InvocationError: ${reason}: .*${mentions}`));
          const line = fn.logs.find((l) => l.reason === reason && String(l.msg).startsWith("invocation failed"));
          expect(line, "a JSON log line naming the reason").to.not.equal(undefined);
        } finally {
          await fn.stop();
        }
      });
    }
  });

  describe("a Kubernetes token rotated while the container is warm", () => {
    let fn: FunctionUnderTest;
    let vaultSecretId: string;
    before(async () => {
      // As deployed: Vault holds the token the controller wrote into ocipam-allocator-token.
      vaultSecretId = cluster.oci.admin.createSecret({ name: "rotating-kube-token", content: secretToken(cluster) }).id;
      fn = await FunctionUnderTest.start(cluster, { OCIPAM_KUBE_TOKEN_SECRET_ID: vaultSecretId });
      await cluster.launchNode("rotate-1", { ocpus: 2 });
      await cluster.launchNode("rotate-2", { ocpus: 2 });
      await cluster.launchNode("rotate-3", { ocpus: 2 });
    });
    after(() => fn?.stop());

    it("re-reads the token from Vault on 401 and rebuilds its client, not failing until a recycle", async () => {
      const first = await call(fn, nudgeFor("rotate-1"));
      expect(first.status).to.equal(200);
      expect(resultOf(first).nodes[0]).to.include({ node: "rotate-1", outcome: "reconciled" });

      const fresh = rotateKubernetesToken(cluster);
      cluster.oci.admin.addSecretVersion(vaultSecretId, fresh);
      const second = await call(fn, nudgeFor("rotate-2"));
      expect(second.status).to.equal(200);
      expect(resultOf(second).nodes[0]).to.include({ node: "rotate-2", outcome: "reconciled", state: "Ready" });
      expect(fn.logs.filter((l) => String(l.msg).startsWith("Kubernetes answered 401"))).to.have.length(1);
    });

    it("answers 502 naming KubeUnauthorized while Vault holds a revoked token, then recovers", async () => {
      const pid = fn.fn.pid;
      const fresh = rotateKubernetesToken(cluster);
      const refused = await call(fn, nudgeFor("rotate-3"));
      expect(refused.status).to.equal(502);
      expect(String(refused.body.detail)).to.match(/^InvocationError: KubeUnauthorized: /);

      cluster.oci.admin.addSecretVersion(vaultSecretId, fresh);
      const redelivered = await call(fn, nudgeFor("rotate-3"));
      expect(redelivered.status).to.equal(200);
      expect(resultOf(redelivered).nodes[0]).to.include({ node: "rotate-3", outcome: "reconciled" });
      expect(fn.fn.pid, "the same warm process served it").to.equal(pid);
    });
  });
});
