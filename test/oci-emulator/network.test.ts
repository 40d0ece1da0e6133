import { expect } from "chai";
import * as core from "oci-core";
import type { OciEmulator, WorldSnapshot, WorldSpec } from "../../lib/testbed/oci-emulator";
import { attachAndWait, byName, eventually, expectOciError, startWithClients, type Clients } from "./helpers";

describe("OCI emulator: Virtual Network (through oci-core VirtualNetworkClient)", () => {
  let emulator: OciEmulator;
  let clients: Clients;
  let close: () => Promise<void>;
  let world: WorldSnapshot;
  let compartmentId: string;

  beforeEach(async () => {
    const started = await startWithClients({ timeScale: 0.001 });
    ({ emulator, clients, close } = started);
    world = emulator.admin.snapshot();
    compartmentId = world.compartments[0].id;
  });
  afterEach(async () => close());

  const instance = (name: string) => byName(world.instances, name);
  const subnet = (name: string) => byName(world.subnets, name);
  const primaryVnicOf = (name: string) => world.vnics.find((v) => v.instanceId === instance(name).id && v.isPrimary)!;

  it("returns a VNIC with MAC, primary private IP, subnet and NSGs; MACs are unique", async () => {
    const v = primaryVnicOf("worker-e4-8");
    const r = await clients.vcn.getVnic({ vnicId: v.id });
    expect(r.vnic.isPrimary).to.equal(true);
    expect(r.vnic.macAddress).to.match(/^02:00:17(:[0-9a-f]{2}){3}$/);
    expect(r.vnic.privateIp).to.equal("10.0.2.2");
    expect(r.vnic.subnetId).to.equal(subnet("workers-ad2").id);
    expect(r.vnic.nsgIds).to.deep.equal([byName(world.nsgs, "nsg-workers").id]);
    const macs = world.vnics.map((x) => x.macAddress);
    expect(new Set(macs).size).to.equal(macs.length);
  });

  it("creates secondary IPs lowest-free first, storing display name and freeform tags", async () => {
    const vnicId = primaryVnicOf("worker-e4-1").id;
    const a = await clients.vcn.createPrivateIp({
      createPrivateIpDetails: { vnicId, displayName: "pod-ip", freeformTags: { "ocipam.io/node": "worker-e4-1" } },
    });
    // workers-ad1 is 10.0.1.0/24: .0 network, .1 router; worker-e4-1 .2 and worker-std2-4 .3 are primaries.
    expect(a.privateIp.ipAddress).to.equal("10.0.1.4");
    expect(a.privateIp.isPrimary).to.equal(false);
    expect(a.privateIp.displayName).to.equal("pod-ip");
    expect(a.privateIp.freeformTags).to.deep.equal({ "ocipam.io/node": "worker-e4-1" });
    expect(a.etag).to.be.a("string");
    const b = await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
    expect(b.privateIp.ipAddress).to.equal("10.0.1.5");
    const got = await clients.vcn.getPrivateIp({ privateIpId: a.privateIp.id! });
    expect(got.privateIp.freeformTags).to.deep.equal({ "ocipam.io/node": "worker-e4-1" });
    expect(got.privateIp.vnicId).to.equal(vnicId);
  });

  it("assigns an explicit ipAddress and answers 409 Conflict when it is taken", async () => {
    const vnicId = primaryVnicOf("worker-e4-1").id;
    const r = await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId, ipAddress: "10.0.1.77" } });
    expect(r.privateIp.ipAddress).to.equal("10.0.1.77");
    await expectOciError(
      () => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId, ipAddress: "10.0.1.77" } }),
      409,
      "Conflict",
    );
    await expectOciError(
      () => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId, ipAddress: "10.0.1.2" } }),
      409,
      "Conflict",
    );
  });

  it("answers 400 InvalidParameter for an ipAddress outside the subnet or reserved", async () => {
    const vnicId = primaryVnicOf("worker-e4-1").id;
    for (const ipAddress of ["10.0.2.10", "10.0.1.0", "10.0.1.1", "10.0.1.255", "not-an-ip"]) {
      await expectOciError(
        () => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId, ipAddress } }),
        400,
        "InvalidParameter",
      );
    }
  });

  it("answers 400 RelatedResourceNotAuthorizedOrNotFound for an unknown VNIC", async () => {
    await expectOciError(
      () => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId: "ocid1.vnic.oc1.iad.nope" } }),
      400,
      "RelatedResourceNotAuthorizedOrNotFound",
    );
  });

  it("caps secondary IPs per VNIC at the configured limit with 400 LimitExceeded (default 64)", async () => {
    const vnicId = primaryVnicOf("worker-e4-8").id;
    for (let i = 0; i < 64; i++) await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
    await expectOciError(
      () => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } }),
      400,
      "LimitExceeded",
    );
    const listed = await clients.vcn.listPrivateIps({ vnicId, limit: 1000 });
    expect(listed.items).to.have.length(65);
  });

  it("honours a smaller configured per-VNIC limit", async () => {
    const spec: WorldSpec = {
      secondaryIpsPerVnic: 2,
      vcns: [{ name: "v", cidrBlock: "10.1.0.0/16" }],
      subnets: [{ name: "s", vcn: "v", cidrBlock: "10.1.0.0/24" }],
      instances: [{ name: "i", shape: "VM.Standard2.1", subnet: "s" }],
    };
    const small = await startWithClients({ world: spec });
    try {
      const vnicId = small.emulator.admin.snapshot().vnics[0].id;
      await small.clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
      await small.clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
      await expectOciError(
        () => small.clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } }),
        400,
        "LimitExceeded",
      );
    } finally {
      await small.close();
    }
  });

  it("exhausts a /28 subnet after 13 addresses (16 − 3 reserved) with 409 Conflict", async () => {
    const { vnicId } = await attachAndWait(clients, instance("worker-e4-1").id, subnet("pods-tiny-ad1").id);
    // The VNIC's primary IP took 10.0.3.2; 12 more fit (.3 .. .14).
    const made: string[] = [];
    for (let i = 0; i < 12; i++)
      made.push((await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } })).privateIp.ipAddress!);
    expect(made[0]).to.equal("10.0.3.3");
    expect(made[11]).to.equal("10.0.3.14");
    await expectOciError(() => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } }), 409, "Conflict");
    const inventory = await clients.vcn.getSubnetIpInventory({ subnetId: subnet("pods-tiny-ad1").id });
    expect(inventory.ipInventorySubnetResourceCollection.count).to.equal(13);
    expect(emulator.admin.snapshot().subnets.find((s) => s.id === subnet("pods-tiny-ad1").id)!.freeAddresses).to.equal(
      0,
    );
  });

  it("lists private IPs by VNIC, by subnet and by subnet + address, paged with opc-next-page", async () => {
    const vnicId = primaryVnicOf("worker-e4-1").id;
    for (let i = 0; i < 4; i++) await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
    const first = await clients.vcn.listPrivateIps({ vnicId, limit: 2 });
    expect(first.items.map((p) => p.ipAddress)).to.deep.equal(["10.0.1.2", "10.0.1.4"]);
    expect(first.opcNextPage).to.be.a("string");
    const all: string[] = [];
    for await (const p of clients.vcn.listPrivateIpsRecordIterator({ vnicId, limit: 2 })) all.push(p.ipAddress!);
    expect(all).to.deep.equal(["10.0.1.2", "10.0.1.4", "10.0.1.5", "10.0.1.6", "10.0.1.7"]);
    const bySubnet = await clients.vcn.listPrivateIps({ subnetId: subnet("workers-ad1").id });
    expect(bySubnet.items).to.have.length(6); // two primaries (e4-1, std2-4) + 4 secondaries
    const byAddress = await clients.vcn.listPrivateIps({ subnetId: subnet("workers-ad1").id, ipAddress: "10.0.1.5" });
    expect(byAddress.items.map((p) => p.vnicId)).to.deep.equal([vnicId]);
    await expectOciError(() => clients.vcn.listPrivateIps({ ipAddress: "10.0.1.5" }), 400, "InvalidParameter");
  });

  it("deletes a secondary IP and returns its address to the subnet; a primary IP cannot be deleted", async () => {
    const vnicId = primaryVnicOf("worker-e4-1").id;
    const ip = await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
    await clients.vcn.deletePrivateIp({ privateIpId: ip.privateIp.id! });
    await expectOciError(
      () => clients.vcn.getPrivateIp({ privateIpId: ip.privateIp.id! }),
      404,
      "NotAuthorizedOrNotFound",
    );
    const again = await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
    expect(again.privateIp.ipAddress).to.equal(ip.privateIp.ipAddress);
    const primary = (await clients.vcn.listPrivateIps({ vnicId })).items.find((p) => p.isPrimary)!;
    await expectOciError(() => clients.vcn.deletePrivateIp({ privateIpId: primary.id! }), 400, "InvalidParameter");
    await expectOciError(
      () => clients.vcn.deletePrivateIp({ privateIpId: ip.privateIp.id! }),
      404,
      "NotAuthorizedOrNotFound",
    );
  });

  it("answers 412 NoEtagMatch when if-match does not match on delete", async () => {
    const vnicId = primaryVnicOf("worker-e4-1").id;
    const ip = await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
    await expectOciError(
      () => clients.vcn.deletePrivateIp({ privateIpId: ip.privateIp.id!, ifMatch: "stale" }),
      412,
      "NoEtagMatch",
    );
    await clients.vcn.deletePrivateIp({ privateIpId: ip.privateIp.id!, ifMatch: ip.etag });
  });

  it("runs BulkCreatePrivateIps as a work request readable through oci-workrequests until SUCCEEDED", async () => {
    const vnicId = primaryVnicOf("worker-e4-8").id;
    const r = await clients.vcn.bulkCreatePrivateIps({
      bulkCreatePrivateIpsDetails: {
        vnicId,
        bulkCreatePrivateIpItem: [{ freeformTags: { k: "v" } }, { ipAddress: "10.0.2.100" }],
      },
    });
    expect(r.opcWorkRequestId).to.match(/^ocid1\.coreservicesworkrequest\./);
    const wr = await eventually(async () => {
      const w = await clients.workRequests.getWorkRequest({ workRequestId: r.opcWorkRequestId! });
      return w.workRequest.status === "SUCCEEDED" ? w.workRequest : undefined;
    });
    expect(wr.percentComplete).to.equal(100);
    expect(wr.resources.map((x) => x.entityType)).to.deep.equal(["privateip", "privateip"]);
    const created = await clients.vcn.getPrivateIp({ privateIpId: wr.resources[1].identifier });
    expect(created.privateIp.ipAddress).to.equal("10.0.2.100");
    const tagged = await clients.vcn.getPrivateIp({ privateIpId: wr.resources[0].identifier });
    expect(tagged.privateIp.freeformTags).to.deep.equal({ k: "v" });
  });

  it("fails a bulk work request as a whole when an item cannot be created, with its error listed", async () => {
    const vnicId = primaryVnicOf("worker-e4-8").id;
    const r = await clients.vcn.bulkCreatePrivateIps({
      bulkCreatePrivateIpsDetails: { vnicId, bulkCreatePrivateIpItem: [{}, { ipAddress: "10.0.2.2" }] },
    });
    await eventually(
      async () =>
        (await clients.workRequests.getWorkRequest({ workRequestId: r.opcWorkRequestId! })).workRequest.status ===
        "FAILED",
    );
    const errors = await clients.workRequests.listWorkRequestErrors({ workRequestId: r.opcWorkRequestId! });
    expect(errors.items.map((e) => e.code)).to.deep.equal(["Conflict"]);
    expect((await clients.vcn.listPrivateIps({ vnicId })).items).to.have.length(1);
  });

  it(
    "returns subnets with CIDR, virtual router IP, AD (null when regional) " +
      "and tags, listed by compartment and VCN",
    async () => {
      const regional = await clients.vcn.getSubnet({ subnetId: subnet("pods-regional").id });
      expect(regional.subnet.availabilityDomain ?? null).to.equal(null);
      expect(regional.subnet.cidrBlock).to.equal("10.0.16.0/20");
      expect(regional.subnet.virtualRouterIp).to.equal("10.0.16.1");
      expect(regional.subnet.freeformTags).to.deep.equal({ "ocipam.io/role": "pods" });
      const ad1 = await clients.vcn.getSubnet({ subnetId: subnet("workers-ad1").id });
      expect(ad1.subnet.availabilityDomain).to.match(/AD-1$/);
      const listed = await clients.vcn.listSubnets({ compartmentId, vcnId: world.vcns[0].id as string, limit: 3 });
      expect(listed.items).to.have.length(3);
      const rest = await clients.vcn.listSubnets({
        compartmentId,
        vcnId: world.vcns[0].id as string,
        limit: 3,
        page: listed.opcNextPage,
      });
      expect(rest.items.map((s) => s.displayName)).to.deep.equal(["pods-tiny-ad1"]);
    },
  );

  it("reports a subnet's IP inventory", async () => {
    const r = await clients.vcn.getSubnetIpInventory({ subnetId: subnet("workers-ad1").id });
    const c = r.ipInventorySubnetResourceCollection;
    expect(c.count).to.equal(2);
    expect(c.ipInventorySubnetResourceSummary?.map((s) => [s.ipAddress, s.isPrimary])).to.deep.equal([
      ["10.0.1.2", true],
      ["10.0.1.3", true],
    ]);
  });

  it("lists NSGs by compartment and by VCN with their freeform tags, and returns the VCN", async () => {
    const byCompartment = await clients.vcn.listNetworkSecurityGroups({ compartmentId });
    expect(byCompartment.items.map((n) => [n.displayName, n.freeformTags])).to.deep.equal([
      ["nsg-workers", { "ocipam.io/role": "workers" }],
      ["nsg-pods", { "ocipam.io/role": "pods" }],
    ]);
    const byVcn = await clients.vcn.listNetworkSecurityGroups({ vcnId: world.vcns[0].id as string, limit: 1 });
    expect(byVcn.items).to.have.length(1);
    expect(byVcn.opcNextPage).to.be.a("string");
    const vcn = await clients.vcn.getVcn({ vcnId: world.vcns[0].id as string });
    expect(vcn.vcn.cidrBlock).to.equal("10.0.0.0/16");
  });

  it("removes an instance's VNICs and IPs on termination and emits the terminate events", async () => {
    const events: string[] = [];
    emulator.onEvent((e) => events.push(`${e.eventType}:${e.data.resourceId}`));
    const id = instance("worker-e4-8").id;
    const { vnicId } = await attachAndWait(clients, id, subnet("pods-regional").id);
    const ip = await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
    emulator.admin.terminateInstance(id);
    await eventually(
      async () =>
        (await clients.compute.getInstance({ instanceId: id })).instance.lifecycleState ===
        core.models.Instance.LifecycleState.Terminated,
    );
    await expectOciError(
      () => clients.vcn.getPrivateIp({ privateIpId: ip.privateIp.id! }),
      404,
      "NotAuthorizedOrNotFound",
    );
    const attachments = await clients.compute.listVnicAttachments({ compartmentId, instanceId: id });
    expect(attachments.items.map((a) => a.lifecycleState)).to.deep.equal(["DETACHED", "DETACHED"]);
    expect(events).to.deep.equal([
      `com.oraclecloud.computeapi.terminateinstance.begin:${id}`,
      `com.oraclecloud.computeapi.terminateinstance.end:${id}`,
    ]);
  });

  it(
    "launches an instance through the admin API: PROVISIONING → RUNNING " + "with a CloudEvents 0.1 launchinstance.end",
    async () => {
      const seen = new Promise<Record<string, unknown>>((resolve) =>
        emulator.onEvent((e) => {
          if (e.eventType.endsWith("launchinstance.end")) resolve(e as unknown as Record<string, unknown>);
        }),
      );
      const launched = emulator.admin.launchInstance({
        name: "new-node",
        shape: "VM.Standard.E4.Flex",
        ocpus: 4,
        subnet: "workers-ad1",
      });
      const event = (await seen) as {
        cloudEventsVersion: string;
        data: { resourceId: string; availabilityDomain: string };
      };
      expect(event.cloudEventsVersion).to.equal("0.1");
      expect(event.data.resourceId).to.equal(launched.id);
      const r = await clients.compute.getInstance({ instanceId: launched.id as string });
      expect(r.instance.lifecycleState).to.equal("RUNNING");
      expect(r.instance.shapeConfig?.maxVnicAttachments).to.equal(4);
      const att = await clients.compute.listVnicAttachments({ compartmentId, instanceId: launched.id as string });
      expect(att.items.map((a) => [a.lifecycleState, a.nicIndex])).to.deep.equal([["ATTACHED", 0]]);
    },
  );
});
