import { expect } from "chai";
import { startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import { FunctionUnderTest, nudgeFor } from "./function-harness";
import { ownedIpsOf, poolOf, useIps } from "./world-queries";

/** OCI requests the emulator served, by operation (every poll and page counted). */
function served(cluster: LocalCluster): Record<string, number> {
  return cluster.oci.admin.counters();
}

describe("OCIPAM_USE_BULK_CREATE through the allocator function (FDK socket, both emulators)", function () {
  this.timeout(60_000);
  let cluster: LocalCluster;
  let fn: FunctionUnderTest;

  before(async () => {
    cluster = await startLocalCluster({ latency: "zero" });
    fn = await FunctionUnderTest.start(cluster, { OCIPAM_USE_BULK_CREATE: "true" });
  });
  after(async () => {
    await fn?.stop();
    await cluster?.close();
  });

  it(
    "creates a new node's 8 IPs with one BulkCreatePrivateIps, its work " +
      "request awaited, and writes all 8 to the pool",
    async () => {
      await cluster.launchNode("bulk-new", { ocpus: 2 });
      const before = { ...served(cluster) };
      const r = await fn.invoke(nudgeFor("bulk-new"));
      expect(r.ok, JSON.stringify(r)).to.equal(true);
      expect(r.nodes[0]).to.include({ outcome: "reconciled", state: "Ready", ipsCreated: 8 });
      expect(r.nodes[0]!.apiCalls["oci.bulkCreatePrivateIps"]).to.equal(1);
      expect(r.nodes[0]!.apiCalls["oci.createPrivateIp"] ?? 0).to.equal(0);
      const pool = Object.keys(poolOf(cluster, "bulk-new")).sort();
      expect(pool).to.deep.equal(
        ownedIpsOf(cluster, "bulk-new")
          .map((ip) => ip.ipAddress)
          .sort(),
      );
      expect(pool).to.have.length(8);
      const after = served(cluster);
      const delta = (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
      expect(delta("BulkCreatePrivateIps")).to.equal(1);
      expect(delta("GetWorkRequest")).to.be.at.least(1);
      const total = Object.keys(after).reduce((n, op) => n + delta(op), 0);
      console.log(
        `      [bulk] ${total} OCI requests served for 8 IPs ` +
          `(${delta("GetWorkRequest")} work-request polls): ` +
          `${(total / 8).toFixed(3)} per IP`,
      );
    },
  );

  it("uses the bulk path again when usage grows, never creating more than the plan", async () => {
    useIps(cluster, "bulk-new", 8);
    const r = await fn.invoke(nudgeFor("bulk-new"));
    expect(r.nodes[0]).to.include({ ipsCreated: 8 });
    expect(ownedIpsOf(cluster, "bulk-new")).to.have.length(16);
    expect(Object.keys(poolOf(cluster, "bulk-new"))).to.have.length(16);
  });
});
