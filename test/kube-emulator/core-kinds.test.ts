import { expect } from "chai";
import type { KubeEmulator } from "../../lib/testbed/kube-emulator";
import { apiError, clients, mergePatch, startEmulator, strategicPatch } from "./helpers";

function pod(namespace: string, name: string, nodeName: string, phase: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: { nodeName, containers: [{ name: "c", image: "busybox" }] },
    status: { phase },
  };
}

describe("kube emulator: built-in kinds (Nodes, Pods, Events, Leases)", () => {
  let emu: KubeEmulator;
  let c: ReturnType<typeof clients>;

  before(async () => {
    emu = await startEmulator();
    c = clients(emu);
  });
  after(() => emu.close());

  it("serves Nodes with spec.providerID and keeps the status written on create", async () => {
    await c.core.createNode({
      body: {
        metadata: { name: "worker-1", labels: { "node-role.kubernetes.io/worker": "" } },
        spec: { providerID: "oci://ocid1.instance.oc1.iad.abc" },
        status: {
          conditions: [{ type: "Ready", status: "True" }],
          addresses: [{ type: "InternalIP", address: "10.0.0.2" }],
        },
      },
    });
    const node = await c.core.readNode({ name: "worker-1" });
    expect(node.spec?.providerID).to.equal("oci://ocid1.instance.oc1.iad.abc");
    expect(node.status?.conditions?.[0].type).to.equal("Ready");
    const list = await c.core.listNode({});
    expect(list.items.map((n) => n.metadata?.name)).to.include("worker-1");
  });

  it(
    "resets a Pod's status to Pending on create and lists pods across " +
      "namespaces by spec.nodeName and status.phase",
    async () => {
      const created = await c.core.createNamespacedPod({
        namespace: "default",
        body: pod("default", "p-created", "worker-1", "Running"),
      });
      expect(created.status?.phase).to.equal("Pending");
      emu.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
      emu.store.create("pods", pod("team-a", "p-run", "worker-1", "Running"), { keepStatus: true });
      emu.store.create("pods", pod("team-a", "p-pend", "worker-1", "Pending"), { keepStatus: true });
      emu.store.create("pods", pod("team-a", "p-other", "worker-2", "Pending"), { keepStatus: true });
      const pending = await c.core.listPodForAllNamespaces({
        fieldSelector: "spec.nodeName=worker-1,status.phase=Pending",
      });
      expect(pending.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort()).to.deep.equal([
        "default/p-created",
        "team-a/p-pend",
      ]);
      const notRunning = await c.core.listNamespacedPod({
        namespace: "team-a",
        fieldSelector: "spec.nodeName=worker-1,status.phase!=Running",
      });
      expect(notRunning.items.map((p) => p.metadata?.name)).to.deep.equal(["p-pend"]);
    },
  );

  it("answers 400 for a field selector pods do not support", async () => {
    const { code, body } = await apiError(() => c.core.listPodForAllNamespaces({ fieldSelector: "spec.containers=x" }));
    expect(code).to.equal(400);
    expect(body.message).to.equal("field label not supported: spec.containers");
  });

  it("answers 404 for an object created in a namespace that does not exist", async () => {
    const { code, body } = await apiError(() =>
      c.core.createNamespacedPod({ namespace: "ghost", body: pod("ghost", "p", "w", "Pending") }),
    );
    expect(code).to.equal(404);
    expect(body.message).to.equal('namespaces "ghost" not found');
    expect(body.details).to.deep.equal({ name: "ghost", kind: "namespaces" });
  });

  it("creates Events and patches their count with a strategic merge patch (accepted for built-in kinds)", async () => {
    const ev = await c.core.createNamespacedEvent({
      namespace: "default",
      body: {
        metadata: { name: "node-a.17f0" },
        involvedObject: { apiVersion: "cilium.io/v2", kind: "CiliumNode", name: "node-a" },
        reason: "IPsAllocated",
        message: "allocated 8 IPs",
        type: "Normal",
        count: 1,
        source: { component: "ocipam-allocator" },
      },
    });
    expect(ev.metadata?.resourceVersion).to.be.a("string");
    const patched = await c.core.patchNamespacedEvent(
      { namespace: "default", name: "node-a.17f0", body: { count: 2 } },
      strategicPatch,
    );
    expect(patched.count).to.equal(2);
    const byObject = await c.core.listNamespacedEvent({
      namespace: "default",
      fieldSelector: "involvedObject.name=node-a,reason=IPsAllocated",
    });
    expect(byObject.items).to.have.length(1);
  });

  it("creates, renews and conflicts on Leases (the per-node lock)", async () => {
    const lease = await c.coordination.createNamespacedLease({
      namespace: "ocipam-system",
      body: {
        metadata: { name: "ocipam-node-worker-1" },
        spec: { holderIdentity: "call-a", leaseDurationSeconds: 30, renewTime: new Date() },
      },
    });
    const renewed = await c.coordination.replaceNamespacedLease({
      namespace: "ocipam-system",
      name: "ocipam-node-worker-1",
      body: { ...lease, spec: { ...lease.spec, holderIdentity: "call-a", renewTime: new Date() } },
    });
    expect(Number(renewed.metadata?.resourceVersion)).to.be.greaterThan(Number(lease.metadata?.resourceVersion));
    const { code, body } = await apiError(() =>
      c.coordination.replaceNamespacedLease({
        namespace: "ocipam-system",
        name: "ocipam-node-worker-1",
        body: { ...lease, spec: { ...lease.spec, holderIdentity: "call-b" } },
      }),
    );
    expect(code).to.equal(409);
    expect(body.message).to.equal(
      "Operation cannot be fulfilled on leases.coordination.k8s.io " +
        '"ocipam-node-worker-1": the object has been modified; please apply ' +
        "your changes to the latest version and try again",
    );
    await c.coordination.deleteNamespacedLease({ namespace: "ocipam-system", name: "ocipam-node-worker-1" });
    const gone = await apiError(() =>
      c.coordination.readNamespacedLease({ namespace: "ocipam-system", name: "ocipam-node-worker-1" }),
    );
    expect(gone.body.message).to.equal('leases.coordination.k8s.io "ocipam-node-worker-1" not found');
  });

  it("lets a Node be updated without a resourceVersion (unconditional update is allowed for built-ins)", async () => {
    const node = await c.core.readNode({ name: "worker-1" });
    delete node.metadata?.resourceVersion;
    const updated = await c.core.replaceNode({
      name: "worker-1",
      body: { ...node, metadata: { ...node.metadata, labels: { x: "y" } } },
    });
    expect(updated.metadata?.labels).to.deep.equal({ x: "y" });
    const merged = await c.core.patchNode({ name: "worker-1", body: { metadata: { labels: { z: "w" } } } }, mergePatch);
    expect(merged.metadata?.labels).to.deep.equal({ x: "y", z: "w" });
  });

  it("fills the token of a service-account-token Secret with a token that authenticates as its account", async () => {
    const secret = await c.core.readNamespacedSecret({ namespace: "ocipam-system", name: "ocipam-allocator-token" });
    const token = Buffer.from(String(secret.data?.token), "base64").toString();
    const res = await fetch(`${emu.endpoint}/apis/cilium.io/v2/ciliumnodes`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).to.equal(200);
    expect(secret.metadata?.annotations?.["kubernetes.io/service-account.uid"]).to.match(/^[0-9a-f-]{36}$/);
  });
});
