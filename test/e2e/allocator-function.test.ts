import { expect } from "chai";
import { startLocalCluster, type LocalCluster } from "../../lib/testbed/local/local-cluster";
import { connectorBatch, FunctionUnderTest, nudgeFor } from "./function-harness";
import { ciliumNode, ipamRecord, ownedIpsOf, poolOf, useIps, vnicsOf } from "./world-queries";

describe("allocator function end to end (FDK socket, both emulators, project RBAC and IAM enforced)", function () {
  this.timeout(60_000);
  let cluster: LocalCluster;
  let fn: FunctionUnderTest;

  before(async () => {
    cluster = await startLocalCluster({ latency: "zero" });
    fn = await FunctionUnderTest.start(cluster);
  });
  after(async () => {
    await fn?.stop();
    await cluster?.close();
  });

  it("gives a new node with pre-allocate 8 eight pool IPs on its primary VNIC", async () => {
    const { instanceId } = await cluster.launchNode("node-new", { ocpus: 2 });
    const result = await fn.invoke(nudgeFor("node-new"));
    expect(result.ok).to.equal(true);
    expect(result.nodes[0]).to.include({ node: "node-new", outcome: "reconciled", state: "Ready", ipsCreated: 8 });
    const pool = poolOf(cluster, "node-new");
    const primary = vnicsOf(cluster, instanceId).find((v) => v.isPrimary)!;
    expect(Object.keys(pool)).to.have.length(8);
    expect(Object.values(pool).every((e) => e.resource === primary.id && !e.owner)).to.equal(true);
    expect(ciliumNode(cluster, "node-new").spec.ipam["pre-allocate"]).to.equal(8);
    expect(ownedIpsOf(cluster, "node-new")).to.have.length(8);
    expect(ipamRecord(cluster, "node-new")!.status).to.include({ state: "Ready" });
    expect(result.nodes[0]!.apiCalls).to.include({
      "oci.getInstance": 1,
      "oci.createPrivateIp": 8,
      "kube.writePool": 1,
    });
    const mutationLines = fn.logs.filter((l) => l.operation === "CreatePrivateIp" && l.node === "node-new");
    expect(mutationLines).to.have.length(8);
    expect(
      mutationLines.every(
        (l) => typeof l.opcRequestId === "string" && typeof l.vnic === "string" && typeof l.instance === "string",
      ),
    ).to.equal(true);
    const summary = fn.logs.find(
      (l) => l.node === "node-new" && typeof l.msg === "string" && (l.msg as string).startsWith("reconcile reconciled"),
    );
    expect(summary).to.include({ available: 0, needed: 8, ipsCreated: 8 });
  });

  it("attaches a second VNIC and fills it once usage passes the primary VNIC's capacity", async () => {
    const { instanceId } = await cluster.launchNode("node-grow", { ocpus: 2 });
    await fn.invoke(nudgeFor("node-grow"));
    useIps(cluster, "node-grow", 8);
    await fn.invoke(nudgeFor("node-grow"));
    useIps(cluster, "node-grow", 16);
    await fn.invoke(nudgeFor("node-grow"));
    useIps(cluster, "node-grow", 24);
    const result = await fn.invoke(nudgeFor("node-grow"));
    expect(result.nodes[0]!.vnicsAttached).to.equal(1);
    const vnics = vnicsOf(cluster, instanceId);
    expect(vnics).to.have.length(2);
    const secondary = vnics.find((v) => !v.isPrimary)!;
    expect(secondary.freeformTags).to.include({ "ocipam-cluster": "local", "ocipam-node": "node-grow" });
    const pool = poolOf(cluster, "node-grow");
    expect(Object.keys(pool)).to.have.length(32);
    expect(Object.values(pool).filter((e) => e.resource === secondary.id)).to.have.length(1);
    const record = ipamRecord(cluster, "node-grow")!.status;
    expect(record.vnics.map((v: { index: number }) => v.index)).to.deep.equal([0, 1]);
  });

  it("reports AtCapacity, without an error, for a node out of VNIC slots", async () => {
    await cluster.launchNode("node-full", { ocpus: 1 });
    await fn.invoke(nudgeFor("node-full"));
    for (let used = 8; used <= 62; used += 8) {
      useIps(cluster, "node-full", Math.min(used, Object.keys(poolOf(cluster, "node-full")).length));
      await fn.invoke(nudgeFor("node-full"));
    }
    useIps(cluster, "node-full", 62);
    const result = await fn.invoke(nudgeFor("node-full"));
    expect(Object.keys(poolOf(cluster, "node-full"))).to.have.length(62);
    expect(result.nodes[0]).to.include({ outcome: "reconciled", state: "AtCapacity" });
    expect(result.nodes[0]!.error).to.equal(undefined);
    expect(ipamRecord(cluster, "node-full")!.status).to.include({ state: "AtCapacity", reason: "VnicSlotsExhausted" });
  });

  it("collapses duplicate nudges in a batch and concurrent invocations into the plan's IPs, never more", async () => {
    await cluster.launchNode("node-dup", { ocpus: 2 });
    const batch = connectorBatch(["node-dup", "node-dup", "node-dup"], cluster.streamId);
    const results = await Promise.all([fn.invoke(batch), fn.invoke(batch), fn.invoke(nudgeFor("node-dup"))]);
    expect(results.flatMap((r) => r.nodes).filter((n) => n.node === "node-dup")).to.have.length(3);
    expect(ownedIpsOf(cluster, "node-dup")).to.have.length(8);
    expect(Object.keys(poolOf(cluster, "node-dup"))).to.have.length(8);
  });

  it("changes nothing in OCI or Kubernetes for an event naming an instance outside the cluster", async () => {
    const outsider = cluster.oci.admin.createCompartment({ name: "elsewhere" });
    const instance = cluster.oci.admin.launchInstance(
      { name: "outsider", shape: "VM.Standard.E4.Flex", ocpus: 2, subnet: "workers-ad1", compartment: outsider.id },
      { running: true },
    ) as { id: string };
    cluster.joinNode("node-outsider", instance.id);
    const before = JSON.stringify(cluster.oci.admin.snapshot());
    const cnBefore = ciliumNode(cluster, "node-outsider").metadata.resourceVersion;
    const result = await fn.invoke(nudgeFor("node-outsider"));
    expect(result.nodes[0]).to.include({ outcome: "refused" });
    // The allocator's policies cover only the cluster's compartment, so OCI hides the instance (404), as it would.
    expect(result.nodes[0]!.reason.code).to.equal("InstanceNotFound");
    expect(JSON.stringify(cluster.oci.admin.snapshot())).to.equal(before);
    expect(ciliumNode(cluster, "node-outsider").metadata.resourceVersion).to.equal(cnBefore);
  });

  it(
    "refuses an instance of the cluster's compartment whose primary VNIC " + "is in another VCN, touching nothing",
    async () => {
      const vcn = cluster.oci.admin.createVcn({
        name: "other-vcn",
        cidrBlock: "192.168.0.0/16",
        compartment: "ocid1.compartment.oc1..emucompartment000001",
      }) as { id: string };
      cluster.oci.admin.createSubnet({
        name: "other-subnet",
        vcn: vcn.id,
        cidrBlock: "192.168.1.0/24",
        compartment: "ocid1.compartment.oc1..emucompartment000001",
      });
      const instance = cluster.oci.admin.launchInstance(
        {
          name: "other-vcn-node",
          shape: "VM.Standard.E4.Flex",
          ocpus: 2,
          subnet: "other-subnet",
          compartment: "ocid1.compartment.oc1..emucompartment000001",
        },
        { running: true },
      ) as { id: string };
      cluster.joinNode("node-other-vcn", instance.id);
      const before = JSON.stringify(cluster.oci.admin.snapshot().privateIps);
      const result = await fn.invoke(nudgeFor("node-other-vcn"));
      expect(result.nodes[0]).to.include({ outcome: "refused" });
      expect(result.nodes[0]!.reason.code).to.equal("NotInClusterVcn");
      expect(JSON.stringify(cluster.oci.admin.snapshot().privateIps)).to.equal(before);
      expect(poolOf(cluster, "node-other-vcn")).to.deep.equal({});
    },
  );

  it("refuses an OCI event whose instance is not the one the node's providerID names", async () => {
    await cluster.launchNode("node-mismatch", { ocpus: 2 });
    const other = cluster.oci.admin.launchInstance(
      {
        name: "unjoined",
        shape: "VM.Standard.E4.Flex",
        ocpus: 2,
        subnet: "workers-ad1",
        compartment: "ocid1.compartment.oc1..emucompartment000001",
      },
      { running: true },
    ) as { id: string };
    const event = {
      cloudEventsVersion: "0.1",
      eventType: "com.oraclecloud.computeapi.launchinstance.end",
      eventTypeVersion: "2.0",
      source: "ComputeApi",
      eventID: "3c3a4a54-1f6c-4a1a-9d5e-000000000001",
      eventTime: new Date().toISOString(),
      contentType: "application/json",
      extensions: { compartmentId: "ocid1.compartment.oc1..emucompartment000001" },
      data: {
        compartmentId: "ocid1.compartment.oc1..emucompartment000001",
        resourceId: other.id,
        resourceName: "unjoined",
      },
    };
    const result = await fn.invoke(event);
    expect(result.nodes).to.deep.equal([]);
    expect(result.skipped[0]!.reason).to.equal("NoNodeForInstance");
    expect(ownedIpsOf(cluster, "node-mismatch")).to.have.length(0);
  });

  it("skips malformed records with a reason and still processes the rest of the batch", async () => {
    await cluster.launchNode("node-batch", { ocpus: 2 });
    const good = connectorBatch(["node-batch"], cluster.streamId)[0]!;
    const batch = [
      { ...good, offset: 1, value: "!!!not-base64" },
      good,
      { ...good, offset: 3, value: Buffer.from('{"specversion":"1.0"}').toString("base64") },
      "just a string",
    ];
    const result = await fn.invoke(batch);
    expect(result.nodes.map((n) => n.node)).to.deep.equal(["node-batch"]);
    expect(result.skipped.map((s) => s.reason).sort()).to.deep.equal(
      ["InvalidBase64", "SchemaViolation", "SchemaViolation"].sort(),
    );
    expect(Object.keys(poolOf(cluster, "node-batch"))).to.have.length(8);
  });

  it("writes a CiliumNode that survives the CRD schema round trip: nothing pruned", async () => {
    const pool = poolOf(cluster, "node-new");
    const stored = ciliumNode(cluster, "node-new");
    expect(Object.keys(stored.spec.ipam.pool)).to.deep.equal(Object.keys(pool));
    for (const entry of Object.values(stored.spec.ipam.pool as Record<string, { resource: string }>))
      expect(entry.resource).to.match(/^ocid1\.vnic\./);
  });

  it("answers 502 with a typed OCI error when it cannot read the Vault secret (delivered again)", async () => {
    const broken = await FunctionUnderTest.start(cluster, {
      OCIPAM_KUBE_TOKEN_SECRET_ID: "ocid1.vaultsecret.oc1.iad.doesnotexist",
    });
    try {
      const err = await broken.invoke(nudgeFor("node-new")).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.match(/^function answered 502: .*OciNotAuthorizedOrNotFound: .*GetSecretBundle/);
    } finally {
      await broken.stop();
    }
  });

  it("answers 502 with a typed error, not a crash, when its configuration is wrong", async () => {
    const broken = await FunctionUnderTest.start(cluster, { OCIPAM_IPS_PER_VNIC: "lots" });
    try {
      const err = await broken.invoke(nudgeFor("node-new")).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.match(/^function answered 502: .*InvalidConfig: .*OCIPAM_IPS_PER_VNIC/);
    } finally {
      await broken.stop();
    }
  });
});
