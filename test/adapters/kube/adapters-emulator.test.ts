import { Writable } from "node:stream";
import { expect } from "chai";
import { CiliumNodesAdapter } from "../../../lib/adapters/kube/cilium-nodes";
import { createKubeClients, type KubeClients } from "../../../lib/adapters/kube/clients";
import { toKubeError } from "../../../lib/adapters/kube/errors";
import { KubeEventsAdapter } from "../../../lib/adapters/kube/events";
import { IpamRecordsAdapter } from "../../../lib/adapters/kube/ipam-records";
import { KubeNodesAdapter } from "../../../lib/adapters/kube/kube-nodes";
import { LeaseNodeLocks } from "../../../lib/adapters/kube/lease-locks";
import { leaseNameForNode } from "../../../lib/adapters/kube/lease-name";
import { PodsAdapter } from "../../../lib/adapters/kube/pods";
import type { AllocationIp, ReleaseStatus } from "../../../lib/core/model";
import { startKubeEmulator, type KubeEmulator } from "../../../lib/testbed/kube-emulator";
import type { JsonObject } from "../../../lib/testbed/kube-emulator";
import { createLogger } from "../../../lib/log";
import { KubeApiError, KubeConflictError } from "../../../lib/ports/kube-errors";
import type { IpamRecordStatus } from "../../../lib/ports/kube";

/**
 * Every adapter against the project's Kubernetes emulator, authenticated as the allocator's ServiceAccount
 * (ocipam-system/ocipam-allocator), so the shipped least-privilege RBAC and the real CRD schemas (pruning,
 * validation, status subresource) apply to every request.
 */
const ALLOCATOR = "ocipam-system/ocipam-allocator";
const CN = "ciliumnodes.cilium.io";

function ciliumNode(
  name: string,
  extra: {
    pool?: Record<string, AllocationIp>;
    used?: Record<string, AllocationIp>;
    releaseIps?: Record<string, ReleaseStatus>;
  } = {},
): JsonObject {
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNode",
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    spec: {
      addresses: [{ type: "InternalIP", ip: "10.0.0.2" }],
      health: { ipv4: "10.0.0.250" },
      ipam: { pool: extra.pool ?? {}, "min-allocate": 2, "max-above-watermark": 1 },
    },
    status: {
      ipam: { used: extra.used ?? {}, "release-ips": extra.releaseIps ?? {}, "operator-status": { error: "" } },
    },
  };
}

function node(name: string, providerID?: string): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    spec: providerID ? { providerID } : {},
  };
}

function pod(namespace: string, name: string, nodeName: string, phase: string): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: { nodeName, containers: [{ name: "c", image: "registry.example/app:1" }] },
    status: { phase },
  };
}

describe("Kubernetes adapters against the emulator, as the allocator's ServiceAccount", () => {
  let emu: KubeEmulator;
  let clients: KubeClients;

  before(async () => {
    emu = await startKubeEmulator();
    const token = emu.tokens[ALLOCATOR];
    expect(token, `emulator has a token for ${ALLOCATOR}`).to.be.a("string");
    clients = createKubeClients({ kind: "token", server: emu.endpoint, token, requestTimeoutMs: 5000 });
  });

  after(async () => {
    await emu?.close();
  });

  describe("CiliumNodes", () => {
    let adapter: CiliumNodesAdapter;
    before(() => {
      adapter = new CiliumNodesAdapter(clients.customObjects, { pageSize: 2 });
    });

    it("reads a CiliumNode with Cilium's field names, and undefined for a missing one", async () => {
      emu.store.create(
        CN,
        ciliumNode("cn-read", {
          pool: { "10.0.0.10": { resource: "ocid1.vnic.a" } },
          used: { "10.0.0.10": { owner: "default/p", resource: "ocid1.vnic.a" } },
        }),
        { keepStatus: true },
      );
      const view = await adapter.get("cn-read");
      expect(view?.ipam.pool).to.deep.equal({ "10.0.0.10": { resource: "ocid1.vnic.a" } });
      expect(view?.ipam.used).to.deep.equal({ "10.0.0.10": { owner: "default/p", resource: "ocid1.vnic.a" } });
      expect(view?.ipam.minAllocate).to.equal(2);
      expect(view?.ipam.maxAboveWatermark).to.equal(1);
      expect(view?.resourceVersion).to.be.a("string").and.not.equal("");
      expect(await adapter.get("cn-absent")).to.equal(undefined);
    });

    it(
      "round-trips release-ips (status) then the pool (spec) through the CRD " +
        "schema with nothing pruned or disturbed",
      async () => {
        emu.store.create(
          CN,
          ciliumNode("cn-write", {
            pool: { "10.0.0.10": { resource: "v1" } },
            used: { "10.0.0.10": { owner: "default/p", resource: "v1" } },
          }),
          { keepStatus: true },
        );
        const before = await adapter.get("cn-write");
        const rv1 = await adapter.writeReleaseStatus(
          "cn-write",
          before!.resourceVersion,
          { "10.0.0.11": "marked-for-release" },
          {},
        );
        const pool = {
          "10.0.0.10": { resource: "v1" },
          "10.0.0.11": { resource: "v1" },
          "10.0.0.12": { resource: "v2" },
        };
        const rv2 = await adapter.writePool("cn-write", rv1, pool, before!.ipam.pool, 8);
        expect(rv2).to.not.equal(rv1);

        const after = await adapter.get("cn-write");
        expect(after?.resourceVersion).to.equal(rv2);
        expect(after?.ipam.pool).to.deep.equal(pool);
        expect(after?.ipam.preAllocate).to.equal(8);
        expect(after?.ipam.releaseIps).to.deep.equal({ "10.0.0.11": "marked-for-release" });

        const raw = emu.store.get(CN, "cn-write") as {
          spec: JsonObject;
          status: { ipam: JsonObject };
          metadata: JsonObject;
        };
        // The agent's fields, other spec fields and labels are untouched; the written ones survived pruning.
        expect(raw.status.ipam.used).to.deep.equal({ "10.0.0.10": { owner: "default/p", resource: "v1" } });
        expect(raw.status.ipam["operator-status"]).to.deep.equal({ error: "" });
        expect(raw.spec.addresses).to.deep.equal([{ type: "InternalIP", ip: "10.0.0.2" }]);
        expect(raw.spec.health).to.deep.equal({ ipv4: "10.0.0.250" });
        expect((raw.spec.ipam as JsonObject)["min-allocate"]).to.equal(2);
        expect((raw.metadata.labels as JsonObject)["kubernetes.io/hostname"]).to.equal("cn-write");
        expect((raw.spec.ipam as JsonObject).pool).to.deep.equal(pool);
      },
    );

    it("removes pool keys and release-ips entries absent from next", async () => {
      emu.store.create(
        CN,
        ciliumNode("cn-remove", {
          pool: { "10.0.0.10": { resource: "v1" }, "10.0.0.11": { resource: "v1" } },
          releaseIps: { "10.0.0.11": "released", "10.0.0.12": "do-not-release" },
        }),
        { keepStatus: true },
      );
      const v = (await adapter.get("cn-remove"))!;
      const rv1 = await adapter.writeReleaseStatus(
        "cn-remove",
        v.resourceVersion,
        { "10.0.0.11": "released" },
        v.ipam.releaseIps,
      );
      await adapter.writePool("cn-remove", rv1, { "10.0.0.10": { resource: "v1" } }, v.ipam.pool);
      const after = (await adapter.get("cn-remove"))!;
      expect(after.ipam.pool).to.deep.equal({ "10.0.0.10": { resource: "v1" } });
      expect(after.ipam.releaseIps).to.deep.equal({ "10.0.0.11": "released" });
    });

    it("answers KubeConflictError for a stale resourceVersion and writes nothing", async () => {
      emu.store.create(CN, ciliumNode("cn-stale", { pool: { "10.0.0.10": { resource: "v1" } } }), { keepStatus: true });
      const v = (await adapter.get("cn-stale"))!;
      // The agent updates status meanwhile (what cilium-agent's UpdateStatus does every 15 s at most).
      emu.store.patch(
        CN,
        "cn-stale",
        { status: { ipam: { used: { "10.0.0.10": { owner: "default/q", resource: "v1" } } } } },
        { subresource: "status" },
      );
      const current = emu.store.get(CN, "cn-stale");

      const poolWrite = adapter.writePool(
        "cn-stale",
        v.resourceVersion,
        { "10.0.0.10": { resource: "v1" }, "10.0.0.20": { resource: "v1" } },
        v.ipam.pool,
      );
      const err = await poolWrite.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(KubeConflictError);
      expect((err as KubeConflictError).code).to.equal(409);
      const statusErr = await adapter
        .writeReleaseStatus("cn-stale", v.resourceVersion, { "10.0.0.10": "marked-for-release" }, {})
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(statusErr).to.be.instanceOf(KubeConflictError);
      expect(emu.store.get(CN, "cn-stale")).to.deep.equal(current);
    });

    it("lists every CiliumNode across pages", async () => {
      const names = (await adapter.list()).map((n) => n.name);
      expect(names).to.include.members(["cn-read", "cn-write", "cn-remove", "cn-stale"]);
      expect(new Set(names).size).to.equal(names.length);
    });
  });

  describe("KubeNodes", () => {
    let adapter: KubeNodesAdapter;
    before(() => {
      adapter = new KubeNodesAdapter(clients.core, { pageSize: 1 });
      emu.store.create("nodes", node("worker-oci", "oci://ocid1.instance.oc1.iad.inst1"));
      emu.store.create("nodes", node("worker-bare", "ocid1.instance.oc1.iad.inst2"));
      emu.store.create("nodes", node("worker-none"));
    });

    it("reads a Node's providerID and labels, and undefined for a missing Node", async () => {
      const n = await adapter.get("worker-oci");
      expect(n).to.include({ name: "worker-oci", providerId: "oci://ocid1.instance.oc1.iad.inst1" });
      expect(n?.labels["kubernetes.io/hostname"]).to.equal("worker-oci");
      expect(n?.uid).to.be.a("string").and.not.equal("");
      expect(await adapter.get("worker-absent")).to.equal(undefined);
    });

    it("finds the Node of an instance by providerID in the oci:// form and as a bare OCID", async () => {
      expect((await adapter.findByInstanceId("ocid1.instance.oc1.iad.inst1"))?.name).to.equal("worker-oci");
      expect((await adapter.findByInstanceId("ocid1.instance.oc1.iad.inst2"))?.name).to.equal("worker-bare");
      expect(await adapter.findByInstanceId("ocid1.instance.oc1.iad.other")).to.equal(undefined);
    });
  });

  describe("Pods", () => {
    it("counts Pending pods bound to the node across namespaces and pages", async () => {
      for (const ns of ["team-a", "team-b"])
        emu.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
      for (let i = 0; i < 3; i++)
        emu.store.create("pods", pod("team-a", `a-${i}`, "worker-p", "Pending"), { keepStatus: true });
      for (let i = 0; i < 2; i++)
        emu.store.create("pods", pod("team-b", `b-${i}`, "worker-p", "Pending"), { keepStatus: true });
      emu.store.create("pods", pod("team-a", "running", "worker-p", "Running"), { keepStatus: true });
      emu.store.create("pods", pod("team-a", "elsewhere", "worker-q", "Pending"), { keepStatus: true });
      const adapter = new PodsAdapter(clients.core, { pageSize: 2 });
      expect(await adapter.countPending("worker-p")).to.equal(5);
      expect(await adapter.countPending("worker-q")).to.equal(1);
      expect(await adapter.countPending("worker-empty")).to.equal(0);
    });
  });

  describe("Lease node locks", () => {
    let now: number;
    let locks: LeaseNodeLocks;
    beforeEach(() => {
      now = Date.UTC(2026, 10, 28, 10, 0, 0);
      locks = new LeaseNodeLocks(clients.coordination, { clock: () => now });
    });

    it("lets exactly one of two concurrent callers take a node", async () => {
      const [a, b] = await Promise.all([
        locks.tryAcquire("lock-1", "call-a", 30),
        locks.tryAcquire("lock-1", "call-b", 30),
      ]);
      expect([a, b].filter((h) => h !== undefined)).to.have.length(1);
      const winner = (a ?? b)!;
      const lease = emu.store.get("leases", leaseNameForNode("lock-1"), "ocipam-system") as { spec: JsonObject };
      expect(lease.spec.holderIdentity).to.equal(winner.holder);
      expect(lease.spec.leaseDurationSeconds).to.equal(30);
      expect(lease.spec.renewTime).to.equal("2026-11-28T10:00:00.000000Z");
    });

    it("lets many concurrent callers race on an existing free Lease with exactly one winner", async () => {
      const first = (await locks.tryAcquire("lock-race", "call-0", 30))!;
      await first.release();
      const handles = await Promise.all(
        Array.from({ length: 6 }, (_, i) => locks.tryAcquire("lock-race", `call-${i + 1}`, 30)),
      );
      expect(handles.filter((h) => h !== undefined)).to.have.length(1);
    });

    it("refuses a held Lease until it expires, then lets another holder take it over", async () => {
      const a = await locks.tryAcquire("lock-2", "call-a", 30);
      expect(a).to.not.equal(undefined);
      now += 30_000;
      expect(await locks.tryAcquire("lock-2", "call-b", 30)).to.equal(undefined);
      now += 1;
      const b = await locks.tryAcquire("lock-2", "call-b", 30);
      expect(b?.holder).to.equal("call-b");
      const lease = emu.store.get("leases", leaseNameForNode("lock-2"), "ocipam-system") as { spec: JsonObject };
      expect(lease.spec.holderIdentity).to.equal("call-b");
      expect(lease.spec.leaseTransitions).to.equal(1);
      // The expired holder's late release must not free the new holder's Lease.
      await a!.release();
      expect(
        (emu.store.get("leases", leaseNameForNode("lock-2"), "ocipam-system") as { spec: JsonObject }).spec
          .holderIdentity,
      ).to.equal("call-b");
      expect(await locks.tryAcquire("lock-2", "call-c", 30)).to.equal(undefined);
    });

    it(
      "deletes the Lease on release, so nothing stays behind and the next " + "caller need not wait for expiry",
      async () => {
        const a = (await locks.tryAcquire("lock-3", "call-a", 30))!;
        expect(await locks.tryAcquire("lock-3", "call-b", 30)).to.equal(undefined);
        await a.release();
        expect(emu.store.get("leases", leaseNameForNode("lock-3"), "ocipam-system")).to.equal(undefined);
        expect((await locks.tryAcquire("lock-3", "call-b", 30))?.holder).to.equal("call-b");
      },
    );

    it("deletes only the Leases whose holder's time ran out, never a held one or another component's", async () => {
      await locks.tryAcquire("sweep-expired", "killed-call", 10);
      await locks.tryAcquire("sweep-held", "live-call", 3600);
      emu.store.create("leases", {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "not-ours", namespace: "ocipam-system" },
        spec: { holderIdentity: "x", leaseDurationSeconds: 1, renewTime: "2020-01-01T00:00:00.000000Z" },
      });
      now += 60_000;
      expect(await locks.deleteExpired()).to.be.at.least(1);
      expect(emu.store.get("leases", leaseNameForNode("sweep-expired"), "ocipam-system")).to.equal(undefined);
      expect(emu.store.get("leases", leaseNameForNode("sweep-held"), "ocipam-system")).to.not.equal(undefined);
      expect(emu.store.get("leases", "not-ours", "ocipam-system")).to.not.equal(undefined);
    });

    it("lets the holder take its own Lease again", async () => {
      expect(await locks.tryAcquire("lock-4", "call-a", 30)).to.not.equal(undefined);
      expect(await locks.tryAcquire("lock-4", "call-a", 30)).to.not.equal(undefined);
    });
  });

  describe("IpamRecords (OciIpamNode)", () => {
    const status = (firstSeen: Record<string, string>): IpamRecordStatus => ({
      state: "Ready",
      reason: "PoolAtWatermark",
      message: "pool satisfies pre-allocate",
      lastReconcileTime: "2026-11-28T10:00:00Z",
      counts: { available: 9, used: 1, needed: 0, excess: 0, maxAllocatable: 62, vnicsAttached: 1, vnicSlots: 2 },
      vnics: [
        {
          vnicId: "ocid1.vnic.oc1.iad.v1",
          attachmentId: "ocid1.vnicattachment.oc1.iad.a1",
          macAddress: "02:00:17:00:00:01",
          nicIndex: 0,
          index: 0,
          isPrimary: true,
          subnetId: "ocid1.subnet.oc1.iad.s1",
          subnetCidr: "10.0.0.0/24",
          virtualRouterIp: "10.0.0.1",
          lifecycleState: "ATTACHED",
          ipCount: 10,
          poolIpCount: 9,
        },
      ],
      release: { firstSeenExcess: firstSeen },
    });

    it("creates the record on first save, then replaces its status whole, and removes it", async () => {
      const records = new IpamRecordsAdapter(clients.customObjects);
      expect(await records.get("rec-1")).to.equal(undefined);
      await records.save("rec-1", "ocid1.instance.oc1.iad.r1", status({ "10.0.0.9": "2026-11-28T09:59:00Z" }));
      const first = await records.get("rec-1");
      expect(first?.instanceId).to.equal("ocid1.instance.oc1.iad.r1");
      expect(first?.status).to.deep.equal(status({ "10.0.0.9": "2026-11-28T09:59:00Z" }));

      const next = {
        ...status({}),
        state: "Allocating" as const,
        allocating: { attachmentId: "ocid1.vnicattachment.oc1.iad.a2", since: "2026-11-28T10:01:00Z" },
      };
      await records.save("rec-1", "ocid1.instance.oc1.iad.r1", next);
      expect((await records.get("rec-1"))?.status).to.deep.equal(next);

      await records.save("rec-1", "ocid1.instance.oc1.iad.r9", status({}));
      expect((await records.get("rec-1"))?.instanceId).to.equal("ocid1.instance.oc1.iad.r9");

      await records.remove("rec-1");
      expect(await records.get("rec-1")).to.equal(undefined);
      await records.remove("rec-1");
    });
  });

  describe("KubeEvents", () => {
    it("records an Event about a cluster-scoped object in namespace default", async () => {
      emu.store.create(CN, ciliumNode("cn-event"));
      const cn = emu.store.get(CN, "cn-event") as { metadata: { uid: string } };
      const events = new KubeEventsAdapter(clients.core, { reportingInstance: "test-call" });
      await events.record(
        { apiVersion: "cilium.io/v2", kind: "CiliumNode", name: "cn-event", uid: cn.metadata.uid },
        "Normal",
        "IpsAllocated",
        "assigned 8 IPs on ocid1.vnic.a",
      );
      const recorded = emu.store
        .list("events", { namespace: "default" })
        .filter((e) => (e.involvedObject as JsonObject).name === "cn-event");
      expect(recorded).to.have.length(1);
      expect(recorded[0]).to.deep.include({
        type: "Normal",
        reason: "IpsAllocated",
        message: "assigned 8 IPs on ocid1.vnic.a",
        reportingComponent: "ocipam.io/allocator",
        reportingInstance: "test-call",
        count: 1,
      });
      expect(recorded[0].involvedObject).to.deep.include({
        kind: "CiliumNode",
        name: "cn-event",
        uid: cn.metadata.uid,
      });
      expect(recorded[0].source).to.deep.equal({ component: "ocipam-allocator" });
    });

    it("never throws when the API refuses the Event, and logs why", async () => {
      emu.store.injectFault({ verb: "create", resource: "events", times: 1 });
      const lines: string[] = [];
      const log = createLogger({
        level: "warn",
        destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
      });
      const events = new KubeEventsAdapter(clients.core, { log });
      await events.record({ apiVersion: "v1", kind: "Node", name: "x", uid: "u" }, "Warning", "Failed", "boom");
      expect(lines).to.have.length(1);
      expect(JSON.parse(lines[0])).to.deep.include({ level: "warn", node: "x", eventReason: "Failed" });
    });
  });

  describe("errors and limits", () => {
    it("reports a request the RBAC forbids as KubeApiError Forbidden", async () => {
      // The allocator may read CiliumNodes but never delete them.
      const err = await clients.customObjects
        .deleteClusterCustomObject({ group: "cilium.io", version: "v2", plural: "ciliumnodes", name: "cn-read" })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const mapped = toKubeError("delete", err);
      expect(mapped.code).to.equal(403);
      expect(mapped.statusReason).to.equal("Forbidden");
    });

    it("reports a CiliumNode CRD that is not installed as an error, not as an absent node", async () => {
      const bare = await startKubeEmulator({ manifestDirs: [] });
      try {
        const c = createKubeClients({ kind: "token", server: bare.endpoint, token: bare.tokens.admin });
        const err = await new CiliumNodesAdapter(c.customObjects).get("worker-1").then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(KubeApiError);
        expect((err as KubeApiError).code).to.equal(404);
      } finally {
        await bare.close();
      }
    });

    it("aborts a request that outlives the client timeout", async () => {
      const slow = await startKubeEmulator({ writeLatencyMs: 400 });
      try {
        const c = createKubeClients({
          kind: "token",
          server: slow.endpoint,
          token: slow.tokens[ALLOCATOR],
          requestTimeoutMs: 50,
        });
        slow.store.create(CN, ciliumNode("cn-slow"));
        const adapter = new CiliumNodesAdapter(c.customObjects);
        const v = (await adapter.get("cn-slow"))!;
        const err = await adapter.writePool("cn-slow", v.resourceVersion, { "10.0.0.10": { resource: "v1" } }, {}).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(KubeApiError);
        expect((err as KubeApiError).statusReason).to.equal("ClientTimeout");
      } finally {
        await slow.close();
      }
    });
  });
});
