import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import type { KubeEmulator } from "../../lib/testbed/kube-emulator";
import {
  ALLOCATOR,
  apiError,
  CILIUM_AGENT,
  ciliumNode,
  clients,
  CN,
  mergePatch,
  NODE_AGENT,
  OIN,
  startEmulator,
  WATCHER,
} from "./helpers";

describe("kube emulator: authentication and the project's least-privilege RBAC", () => {
  let emu: KubeEmulator;

  before(async () => {
    emu = await startEmulator();
    emu.store.create("cn", ciliumNode("rbac-node"));
    emu.store.create("nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "rbac-node" },
      spec: { providerID: "oci://x" },
    });
  });
  after(() => emu.close());

  it("lists a token for every service account of the manifests, plus admin", () => {
    expect(Object.keys(emu.tokens)).to.include.members(["admin", ALLOCATOR, WATCHER, NODE_AGENT, CILIUM_AGENT]);
  });

  it(
    "lets the watcher list and watch CiliumNodes but answers 403 with the " + "real message when it patches one",
    async () => {
      const api = clients(emu, WATCHER).custom;
      const list = (await api.listClusterCustomObject({ ...CN })) as { items: unknown[] };
      expect(list.items.length).to.be.greaterThan(0);
      const { code, body } = await apiError(() =>
        api.patchClusterCustomObject({ ...CN, name: "rbac-node", body: { spec: { "instance-id": "x" } } }, mergePatch),
      );
      expect(code).to.equal(403);
      expect(body).to.deep.equal({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message:
          'ciliumnodes.cilium.io "rbac-node" is forbidden: User ' +
          '"system:serviceaccount:ocipam-system:ocipam-watcher" cannot patch ' +
          'resource "ciliumnodes" in API group "cilium.io" at the cluster scope',
        reason: "Forbidden",
        details: { name: "rbac-node", group: "cilium.io", kind: "ciliumnodes" },
        code: 403,
      });
    },
  );

  it("names the namespace in a 403 for a namespaced resource and omits the name for a list", async () => {
    const c = clients(emu, WATCHER);
    const lease = await apiError(() => c.coordination.deleteNamespacedLease({ namespace: "ocipam-system", name: "l" }));
    expect(lease.body.message).to.equal(
      'leases.coordination.k8s.io "l" is forbidden: User ' +
        '"system:serviceaccount:ocipam-system:ocipam-watcher" cannot delete ' +
        'resource "leases" in API group "coordination.k8s.io" in the namespace ' +
        '"ocipam-system"',
    );
    const pods = await apiError(() => c.core.listPodForAllNamespaces({}));
    expect(pods.body.message).to.equal(
      "pods is forbidden: User " +
        '"system:serviceaccount:ocipam-system:ocipam-watcher" cannot list ' +
        'resource "pods" in API group "" at the cluster scope',
    );
    expect(pods.body.details).to.deep.equal({ kind: "pods" });
  });

  it("lets the allocator write the pool, the status, events in default and its OciIpamNode", async () => {
    const c = clients(emu, ALLOCATOR);
    await c.custom.patchClusterCustomObject(
      { ...CN, name: "rbac-node", body: { spec: { ipam: { pool: { "10.0.0.5": { resource: "v" } } } } } },
      mergePatch,
    );
    await c.custom.patchClusterCustomObjectStatus(
      { ...CN, name: "rbac-node", body: { status: { ipam: { "operator-status": { error: "" } } } } },
      mergePatch,
    );
    await c.core.readNode({ name: "rbac-node" });
    await c.core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=rbac-node,status.phase=Pending" });
    await c.core.createNamespacedEvent({
      namespace: "default",
      body: {
        metadata: { name: "rbac-node.default" },
        involvedObject: { kind: "CiliumNode", name: "rbac-node" },
        reason: "R",
        message: "m",
      },
    });
    await c.custom.createClusterCustomObject({
      ...OIN,
      body: {
        apiVersion: "ocipam.io/v1alpha1",
        kind: "OciIpamNode",
        metadata: { name: "rbac-node" },
        spec: { nodeName: "rbac-node" },
      },
    });
    await c.custom.patchClusterCustomObjectStatus(
      { ...OIN, name: "rbac-node", body: { status: { state: "Ready" } } },
      mergePatch,
    );
    await c.coordination.createNamespacedLease({
      namespace: "ocipam-system",
      body: { metadata: { name: "ocipam-node-rbac-node" }, spec: { holderIdentity: "x" } },
    });
  });

  it(
    "keeps the allocator's lease rights inside ocipam-system, its events " +
      "in default, and denies it Pod reads beyond list",
    async () => {
      const c = clients(emu, ALLOCATOR);
      // lib/adapters/kube/events.ts writes to default only; the Role ocipam-allocator-events covers that namespace
      // alone.
      const event = await apiError(() =>
        c.core.createNamespacedEvent({
          namespace: "kube-system",
          body: {
            metadata: { name: "e" },
            involvedObject: { kind: "CiliumNode", name: "rbac-node" },
            reason: "R",
            message: "m",
          },
        }),
      );
      expect(event.body.message).to.equal(
        "events is forbidden: User " +
          '"system:serviceaccount:ocipam-system:ocipam-allocator" cannot create ' +
          'resource "events" in API group "" in the namespace "kube-system"',
      );
      // Writes to CiliumNodes are merge patches: no update (PUT) right.
      const put = await apiError(() =>
        c.custom.replaceClusterCustomObject({
          ...CN,
          name: "rbac-node",
          body: { apiVersion: "cilium.io/v2", kind: "CiliumNode", metadata: { name: "rbac-node" } },
        }),
      );
      expect(put.code).to.equal(403);
      const lease = await apiError(() =>
        c.coordination.createNamespacedLease({ namespace: "default", body: { metadata: { name: "x" }, spec: {} } }),
      );
      expect(lease.code).to.equal(403);
      const pod = await apiError(() => c.core.readNamespacedPod({ namespace: "default", name: "p" }));
      expect(pod.code).to.equal(403);
      expect(pod.body.message).to.equal(
        'pods "p" is forbidden: User ' +
          '"system:serviceaccount:ocipam-system:ocipam-allocator" cannot get ' +
          'resource "pods" in API group "" in the namespace "default"',
      );
    },
  );

  it("keeps the node agent to listing and watching CiliumNodes: no OciIpamNode access, no writes", async () => {
    const c = clients(emu, NODE_AGENT);
    await c.custom.listClusterCustomObject({ ...CN, fieldSelector: "metadata.name=rbac-node" });
    const read = await apiError(() => c.custom.getClusterCustomObject({ ...OIN, name: "rbac-node" }));
    expect(read.body.message).to.equal(
      'ociipamnodes.ocipam.io "rbac-node" is forbidden: User ' +
        '"system:serviceaccount:ocipam-system:ocipam-node-agent" cannot get ' +
        'resource "ociipamnodes" in API group "ocipam.io" at the cluster scope',
    );
    const { code } = await apiError(() =>
      c.custom.patchClusterCustomObject({ ...CN, name: "rbac-node", body: { spec: {} } }, mergePatch),
    );
    expect(code).to.equal(403);
  });

  it(
    "lets the Cilium agent stand-in update status (UpdateStatus) but not " +
      "patch it, as Cilium's own ClusterRole grants",
    async () => {
      const api = clients(emu, CILIUM_AGENT).custom;
      const cn = (await api.getClusterCustomObject({ ...CN, name: "rbac-node" })) as Record<string, unknown>;
      await api.replaceClusterCustomObjectStatus({
        ...CN,
        name: "rbac-node",
        body: { ...cn, status: { ipam: { used: { "10.0.0.5": { owner: "default/p", resource: "v" } } } } },
      });
      const { code } = await apiError(() =>
        api.patchClusterCustomObjectStatus(
          { ...CN, name: "rbac-node", body: { status: { ipam: { used: {} } } } },
          mergePatch,
        ),
      );
      expect(code).to.equal(403);
    },
  );

  it("answers 401 Unauthorized for an unknown token", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({ ...emu.kubeConfigOptions("admin"), users: [{ name: "admin", token: "not-a-token" }] });
    const { code } = await apiError(() => kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ ...CN }));
    expect(code).to.equal(401);
    // client-node drops the body of a 401; the raw response carries the Status.
    const res = await fetch(`${emu.endpoint}/apis/cilium.io/v2/ciliumnodes`, {
      headers: { authorization: "Bearer not-a-token" },
    });
    expect(res.status).to.equal(401);
    expect(await res.json()).to.deep.equal({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
  });

  it("treats a request without a token as system:anonymous, who may read /version but not resources", async () => {
    const version = await fetch(`${emu.endpoint}/version`);
    expect(version.status).to.equal(200);
    const res = await fetch(`${emu.endpoint}/apis/cilium.io/v2/ciliumnodes`);
    expect(res.status).to.equal(403);
    expect(((await res.json()) as { message: string }).message).to.equal(
      'ciliumnodes.cilium.io is forbidden: User "system:anonymous" cannot ' +
        'list resource "ciliumnodes" in API group "cilium.io" at the cluster ' +
        "scope",
    );
  });

  it("rejects the token of a deleted service account", async () => {
    emu.store.create("serviceaccounts", {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "temp", namespace: "default" },
    });
    const api = clients(emu, "default/temp").core;
    const denied = await apiError(() => api.listNode({}));
    expect(denied.code).to.equal(403);
    emu.store.delete("serviceaccounts", "temp", "default");
    const gone = await apiError(() => api.listNode({}));
    expect(gone.code).to.equal(401);
  });

  it("answers SelfSubjectAccessReview from the same rules", async () => {
    const res = await fetch(`${emu.endpoint}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, {
      method: "POST",
      headers: { authorization: `Bearer ${emu.tokens[WATCHER]}`, "content-type": "application/json" },
      body: JSON.stringify({
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: { resourceAttributes: { group: "cilium.io", resource: "ciliumnodes", verb: "watch" } },
      }),
    });
    expect(res.status).to.equal(201);
    const review = (await res.json()) as { status: { allowed: boolean; reason?: string } };
    expect(review.status.allowed).to.equal(true);
    expect(review.status.reason).to.equal(
      'RBAC: allowed by ClusterRoleBinding "ocipam-watcher" of ClusterRole ' +
        '"ocipam-watcher" to ServiceAccount "ocipam-watcher/ocipam-system"',
    );
  });
});
