import { expect } from "chai";
import {
  startLocalCluster,
  DEFAULT_COMPARTMENT,
  DEFAULT_VCN,
  type LocalCluster,
} from "../../lib/testbed/local/local-cluster";
import { internalErrorFault } from "../../lib/testbed/kube-emulator";
import { createKubeClients, LeaseNodeLocks } from "../../lib/adapters/kube";
import { FunctionUnderTest, nudgeFor } from "./function-harness";
import { ownedIpsOf, poolOf, useIps, vnicsOf } from "./world-queries";

describe("allocator function under failures and limits", function () {
  this.timeout(90_000);

  describe("subnet exhaustion", () => {
    let cluster: LocalCluster;
    let fn: FunctionUnderTest;
    before(async () => {
      cluster = await startLocalCluster({
        latency: "zero",
        allocatorConfig: { OCIPAM_SUBNET_TAGS: "role=pods-test", OCIPAM_FIRST_INTERFACE_INDEX: "1" },
      });
      cluster.oci.admin.createSubnet({
        name: "small-a",
        vcn: DEFAULT_VCN,
        cidrBlock: "10.0.40.0/28",
        compartment: DEFAULT_COMPARTMENT,
        freeformTags: { role: "pods-test" },
      });
      cluster.oci.admin.createSubnet({
        name: "small-b",
        vcn: DEFAULT_VCN,
        cidrBlock: "10.0.41.0/27",
        compartment: DEFAULT_COMPARTMENT,
        freeformTags: { role: "pods-test" },
      });
      fn = await FunctionUnderTest.start(cluster);
    });
    after(async () => {
      await fn?.stop();
      await cluster?.close();
    });

    it(
      "falls through to the next eligible subnet when the chosen one is " + "exhausted, then reports SubnetsExhausted",
      async () => {
        const { instanceId } = await cluster.launchNode("node-subnets", { ocpus: 4 });
        const subnetOf = (name: string) =>
          (
            cluster.oci.admin.snapshot() as unknown as {
              subnets: Array<{ id: string; displayName: string; freeAddresses: number }>;
            }
          ).subnets.find((s) => s.displayName === name)!;
        await fn.invoke(nudgeFor("node-subnets"));
        const first = vnicsOf(cluster, instanceId).filter((v) => !v.isPrimary);
        expect(first.map((v) => v.subnetId)).to.deep.equal([subnetOf("small-b").id]);
        for (const used of [8, 16, 24]) {
          useIps(cluster, "node-subnets", used);
          await fn.invoke(nudgeFor("node-subnets"));
        }
        expect(subnetOf("small-b").freeAddresses).to.equal(0);
        const secondaries = vnicsOf(cluster, instanceId).filter((v) => !v.isPrimary);
        expect(secondaries.map((v) => v.subnetId).sort()).to.deep.equal(
          [subnetOf("small-a").id, subnetOf("small-b").id].sort(),
        );
        expect(Object.keys(poolOf(cluster, "node-subnets"))).to.have.length(32);
        useIps(cluster, "node-subnets", 32);
        await fn.invoke(nudgeFor("node-subnets"));
        useIps(cluster, "node-subnets", 40);
        const result = await fn.invoke(nudgeFor("node-subnets"));
        expect(result.nodes[0]).to.include({ state: "Error" });
        expect(result.nodes[0]!.reason.code).to.equal("SubnetsExhausted");
        expect(Object.keys(poolOf(cluster, "node-subnets"))).to.have.length(40);
      },
    );
  });

  describe("crashes and concurrency", () => {
    let cluster: LocalCluster;
    before(async () => {
      cluster = await startLocalCluster({ latency: "realistic", timeScale: 0.02 });
    });
    after(async () => cluster?.close());

    it(
      "leaves nothing leaked when the process dies between the OCI creates " +
        "and the Kubernetes write: the next run adopts",
      async () => {
        await cluster.launchNode("node-crash", { ocpus: 2 });
        cluster.kube.store.injectFault({
          verb: "patch",
          resource: "ciliumnodes.cilium.io",
          name: "node-crash",
          times: 10,
          error: internalErrorFault("storage unavailable"),
        });
        const first = await FunctionUnderTest.start(cluster);
        const failed = await first.invoke(nudgeFor("node-crash"));
        expect(failed.nodes[0]!.outcome).to.equal("failed");
        await first.kill();
        expect(ownedIpsOf(cluster, "node-crash")).to.have.length(8);
        expect(poolOf(cluster, "node-crash")).to.deep.equal({});

        cluster.kube.store.clearFaults();
        const second = await FunctionUnderTest.start(cluster);
        try {
          const adopted = await second.invoke(nudgeFor("node-crash"));
          expect(adopted.nodes[0]).to.include({ outcome: "reconciled", ipsCreated: 0 });
          expect(Object.keys(poolOf(cluster, "node-crash")).sort()).to.deep.equal(
            ownedIpsOf(cluster, "node-crash")
              .map((ip) => ip.ipAddress)
              .sort(),
          );
          expect(ownedIpsOf(cluster, "node-crash")).to.have.length(8);
        } finally {
          await second.stop();
        }
      },
    );

    it("waits for the lock of a holder that died, then continues once the lock expires", async () => {
      await cluster.launchNode("node-locked", { ocpus: 2 });
      const fn = await FunctionUnderTest.start(cluster);
      await fn.warm();
      // A holder that took the node's lock and died: its Lease stays until it expires.
      const crashed = new LeaseNodeLocks(
        createKubeClients({
          kind: "token",
          server: cluster.kube.endpoint,
          token: cluster.kube.tokens["ocipam-system/ocipam-allocator"]!,
        }).coordination,
      );
      expect(await crashed.tryAcquire("node-locked", "crashed-call", 3)).to.not.equal(undefined);
      try {
        const blocked = await fn.invoke(nudgeFor("node-locked"));
        expect(blocked.nodes[0]).to.include({ outcome: "skipped" });
        expect(blocked.nodes[0]!.reason.code).to.equal("NodeLocked");
        expect(ownedIpsOf(cluster, "node-locked")).to.have.length(0);
        await new Promise((r) => setTimeout(r, 3200));
        const resumed = await fn.invoke(nudgeFor("node-locked"));
        expect(resumed.nodes[0]).to.include({ outcome: "reconciled", ipsCreated: 8 });
      } finally {
        await fn.stop();
      }
    });

    it("never creates more than the plan when duplicate invocations race with realistic latency", async () => {
      await cluster.launchNode("node-race", { ocpus: 2 });
      const a = await FunctionUnderTest.start(cluster);
      const b = await FunctionUnderTest.start(cluster);
      try {
        const results = await Promise.all([
          a.invoke(nudgeFor("node-race")),
          b.invoke(nudgeFor("node-race")),
          a.invoke(nudgeFor("node-race")),
          b.invoke(nudgeFor("node-race")),
        ]);
        const outcomes = results.map((r) => r.nodes[0]!.outcome);
        expect(outcomes.filter((o) => o === "reconciled").length).to.be.at.least(1);
        expect(ownedIpsOf(cluster, "node-race")).to.have.length(8);
        expect(Object.keys(poolOf(cluster, "node-race"))).to.have.length(8);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });
  });

  describe("slow VNIC attachment", () => {
    let cluster: LocalCluster;
    before(async () => {
      // Attach takes 8 s × 0.25 = 2 s here: longer than the 1.5 s an invocation gets below.
      cluster = await startLocalCluster({ latency: "realistic", timeScale: 0.25 });
    });
    after(async () => cluster?.close());

    it(
      "records Allocating when the deadline comes before the VNIC is " +
        "ATTACHED, and the next nudge finishes the job",
      async () => {
        const { instanceId } = await cluster.launchNode("node-slow-attach", { ocpus: 2 });
        const fn = await FunctionUnderTest.start(cluster, {
          OCIPAM_FIRST_INTERFACE_INDEX: "1",
          OCIPAM_DEADLINE_RESERVE_MS: "100",
          OCIPAM_ATTACH_POLL_MS: "50",
        });
        await fn.warm();
        try {
          const short = await fn.invoke(nudgeFor("node-slow-attach"), 1500);
          expect(short.nodes[0]!.reason.code, JSON.stringify(short.nodes[0])).to.equal("AttachmentInProgress");
          expect(short.nodes[0]).to.include({ state: "Allocating" });
          expect(cluster.kube.store.get("ociipamnodes", "node-slow-attach")!.status).to.include({
            state: "Allocating",
          });
          const next = await fn.invoke(nudgeFor("node-slow-attach"));
          expect(next.nodes[0]).to.include({ state: "Ready" });
          expect(vnicsOf(cluster, instanceId).filter((v) => !v.isPrimary)).to.have.length(1);
          expect(Object.keys(poolOf(cluster, "node-slow-attach"))).to.have.length(8);
        } finally {
          await fn.stop();
        }
      },
    );
  });
});
