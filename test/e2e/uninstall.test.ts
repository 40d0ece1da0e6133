import { expect } from "chai";
import { composeAllocatorRuntime } from "../../functions/allocator/compose";
import type { AllocatorRuntime } from "../../functions/allocator/handler";
import { uninstallCluster } from "../../lib/collect/uninstall";
import { ownershipTags, TAG_CLUSTER } from "../../lib/core/ownership";
import { LOCAL_CLUSTER_NAME, startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import { silentLogger } from "../../lib/log";
import { reconcileNode } from "../../lib/reconcile/reconcile-node";
import { injectIp, ociAs } from "./oci-tools";
import { ciliumNode, useIps } from "./world-queries";

interface SnapshotIp {
  id: string;
  ipAddress: string;
  vnicId: string;
  isPrimary: boolean;
  freeformTags: Record<string, string>;
}
interface SnapshotVnic {
  id: string;
  isPrimary: boolean;
  lifecycleState: string;
  freeformTags: Record<string, string>;
}

function world(cluster: LocalCluster): { ips: SnapshotIp[]; vnics: SnapshotVnic[] } {
  const snap = cluster.oci.admin.snapshot() as unknown as { privateIps: SnapshotIp[]; vnics: SnapshotVnic[] };
  return {
    ips: snap.privateIps,
    vnics: snap.vnics.filter((v) => v.lifecycleState !== "TERMINATED" && v.lifecycleState !== "DETACHED"),
  };
}

const owned = (cluster: LocalCluster) => ({
  ips: world(cluster).ips.filter((ip) => !ip.isPrimary && ip.freeformTags[TAG_CLUSTER]),
  vnics: world(cluster).vnics.filter((v) => !v.isPrimary && v.freeformTags[TAG_CLUSTER]),
});

describe(
  "uninstall: giving back every allocator-owned IP and VNIC once Cilium " + "is gone (both emulators, IAM enforced)",
  function () {
    this.timeout(60_000);
    let cluster: LocalCluster;
    let runtime: AllocatorRuntime;
    const deadline = () => new Date(Date.now() + 30_000);

    before(async () => {
      cluster = await startLocalCluster({ latency: "zero" });
      // Pod IPs on secondary VNICs (first-interface-index 1), so the uninstall has VNICs to detach as well as IPs.
      runtime = await composeAllocatorRuntime(
        { ...cluster.allocatorConfig, OCIPAM_FIRST_INTERFACE_INDEX: "1", OCIPAM_LOG_LEVEL: "silent" },
        { log: silentLogger() },
      );
      for (const name of ["un-a", "un-b"]) {
        await cluster.launchNode(name, { ocpus: 2 });
        for (
          let i = 0;
          i < 3 && (await reconcileNode(name, runtime.deps, { deadline: deadline() })).state !== "Ready";
          i++
        );
      }
    });
    after(async () => {
      await cluster?.close();
    });

    it("refuses while an agent still reports used addresses, and deletes nothing", async () => {
      useIps(cluster, "un-a", 2);
      const before = owned(cluster);
      expect(before.ips.length).to.be.at.least(16);
      expect(before.vnics).to.have.length(2);
      const report = await uninstallCluster(runtime.deps, { deadline: deadline(), dryRun: false });
      expect(report.outcome).to.equal("refused");
      expect(report.inUseOn).to.deep.equal(["un-a"]);
      expect(owned(cluster)).to.deep.equal(before);
      const cn = ciliumNode(cluster, "un-a");
      cluster.kube.store.updateStatus("ciliumnodes", {
        ...cn,
        status: { ...cn.status, ipam: { ...cn.status.ipam, used: {} } },
      });
    });

    it("lists in a dry run exactly what it would delete, and deletes nothing", async () => {
      const before = owned(cluster);
      const report = await uninstallCluster(runtime.deps, { deadline: deadline(), dryRun: true });
      expect(report.outcome).to.equal("planned");
      expect(report.found.filter((o) => o.kind === "vnic")).to.have.length(2);
      expect(
        report.found
          .filter((o) => o.kind === "privateIp")
          .map((o) => o.ipAddress)
          .sort(),
      ).to.deep.equal(before.ips.map((ip) => ip.ipAddress).sort());
      expect(owned(cluster)).to.deep.equal(before);
    });

    it(
      "detaches the allocator's VNICs and deletes its IPs, leaving primary " +
        "VNICs, primary IPs and other tools' IPs",
      async () => {
        const oci = await ociAs(cluster);
        const primary = world(cluster).vnics.find((v) => v.isPrimary)!;
        const foreign = await injectIp(oci, primary.id, { team: "storage" });
        // An allocator IP on a primary VNIC (first-interface-index was 0 once): deleted on its own.
        const onPrimary = await injectIp(oci, primary.id, ownershipTags(LOCAL_CLUSTER_NAME, "un-a"));
        const primaryVnicsBefore = world(cluster)
          .vnics.filter((v) => v.isPrimary)
          .map((v) => v.id)
          .sort();
        const report = await uninstallCluster(runtime.deps, { deadline: deadline(), dryRun: false });
        expect(report.outcome, JSON.stringify(report.failed)).to.equal("removed");
        // The pod IPs on allocator VNICs went with the two detaches; the one on the primary VNIC was deleted by itself.
        expect(report.deleted.map((o) => o.kind)).to.deep.equal(["vnic", "vnic", "privateIp"]);
        expect(report.deleted[2]!.id).to.equal(onPrimary.id);
        expect(owned(cluster)).to.deep.equal({ ips: [], vnics: [] });
        const after = world(cluster).ips.map((ip) => ip.id);
        expect(after).to.include(foreign.id);
        expect(
          world(cluster)
            .vnics.filter((v) => v.isPrimary)
            .map((v) => v.id)
            .sort(),
        ).to.deep.equal(primaryVnicsBefore);
        for (const v of primaryVnicsBefore)
          expect(
            world(cluster).ips.some((ip) => ip.isPrimary && ip.vnicId === v),
            `primary IP of ${v}`,
          ).to.equal(true);
      },
    );
  },
);
