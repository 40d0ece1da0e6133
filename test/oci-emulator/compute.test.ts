import { expect } from "chai";
import * as common from "oci-common";
import * as core from "oci-core";
import type { WorldSnapshot } from "../../lib/testbed/oci-emulator";
import { attachAndWait, byName, eventually, expectOciError, startWithClients, type Clients } from "./helpers";

const { LifecycleState } = core.models.VnicAttachment;

describe("OCI emulator: Compute (through oci-core ComputeClient)", () => {
  let clients: Clients;
  let close: () => Promise<void>;
  let world: WorldSnapshot;
  let compartmentId: string;

  beforeEach(async () => {
    const started = await startWithClients({ timeScale: 0.001 });
    clients = started.clients;
    close = started.close;
    world = started.emulator.admin.snapshot();
    compartmentId = world.compartments[0].id;
  });
  afterEach(async () => close());

  const instance = (name: string) => byName(world.instances, name);
  const subnet = (name: string) => byName(world.subnets, name);

  it("returns an instance with its shape config, tags, etag and opc-request-id", async () => {
    const r = await clients.compute.getInstance({ instanceId: instance("worker-e4-8").id });
    expect(r.instance.lifecycleState).to.equal("RUNNING");
    expect(r.instance.shape).to.equal("VM.Standard.E4.Flex");
    expect(r.instance.shapeConfig?.ocpus).to.equal(8);
    expect(r.instance.shapeConfig?.maxVnicAttachments).to.equal(8);
    expect(r.instance.freeformTags).to.deep.equal({ "ocipam.io/cluster": "local" });
    expect(r.etag).to.be.a("string");
    expect(r.opcRequestId).to.be.a("string");
  });

  it("computes maxVnicAttachments by the Flex rule, for fixed shapes and for bare metal", async () => {
    const max = async (name: string) =>
      (await clients.compute.getInstance({ instanceId: instance(name).id })).instance.shapeConfig?.maxVnicAttachments;
    expect(await max("worker-e4-1")).to.equal(2);
    expect(await max("worker-e4-8")).to.equal(8);
    expect(await max("worker-std2-4")).to.equal(4);
    expect(await max("worker-bm-e4")).to.equal(256);
  });

  it("answers 404 NotAuthorizedOrNotFound for an unknown instance", async () => {
    await expectOciError(
      () => clients.compute.getInstance({ instanceId: "ocid1.instance.oc1.iad.nope" }),
      404,
      "NotAuthorizedOrNotFound",
    );
  });

  it("lists instances of a compartment page by page with limit and opc-next-page", async () => {
    const first = await clients.compute.listInstances({ compartmentId, limit: 3 });
    expect(first.items).to.have.length(3);
    expect(first.opcNextPage).to.be.a("string");
    const second = await clients.compute.listInstances({ compartmentId, limit: 3, page: first.opcNextPage });
    expect(second.items).to.have.length(1);
    expect(second.opcNextPage).to.equal(undefined);
    const all: string[] = [];
    for await (const i of clients.compute.listInstancesRecordIterator({ compartmentId, limit: 1 }))
      all.push(i.displayName!);
    expect(all).to.deep.equal(["worker-e4-1", "worker-e4-8", "worker-std2-4", "worker-bm-e4"]);
  });

  it("rejects a list limit outside 1..1000 with 400 InvalidParameter", async () => {
    await expectOciError(() => clients.compute.listInstances({ compartmentId, limit: 5000 }), 400, "InvalidParameter");
  });

  it("lists shapes with the Flex VNIC options", async () => {
    const r = await clients.compute.listShapes({ compartmentId, shape: "VM.Standard.E4.Flex" });
    expect(r.items).to.have.length(1);
    expect(r.items[0].isFlexible).to.equal(true);
    expect(r.items[0].maxVnicAttachmentOptions).to.deep.equal({ min: 2, max: 24, defaultPerOcpu: 1 });
    const all = await clients.compute.listShapes({ compartmentId });
    expect(all.items.find((s) => s.shape === "BM.Standard.E4.128")?.maxVnicAttachments).to.equal(256);
  });

  it("attaches a VNIC: ATTACHING without vnicId, then ATTACHED with vnicId, nicIndex and subnet", async () => {
    const { vnicAttachment } = await clients.compute.attachVnic({
      attachVnicDetails: {
        instanceId: instance("worker-e4-8").id,
        displayName: "pods-1",
        createVnicDetails: { subnetId: subnet("pods-regional").id, freeformTags: { "ocipam.io/node": "worker-e4-8" } },
      },
    });
    expect(vnicAttachment.lifecycleState).to.equal(LifecycleState.Attaching);
    expect(vnicAttachment.vnicId ?? null).to.equal(null);
    const done = await eventually(async () => {
      const r = await clients.compute.getVnicAttachment({ vnicAttachmentId: vnicAttachment.id });
      return r.vnicAttachment.lifecycleState === LifecycleState.Attached ? r.vnicAttachment : undefined;
    });
    expect(done.vnicId).to.match(/^ocid1\.vnic\./);
    expect(done.nicIndex).to.equal(0);
    expect(done.subnetId).to.equal(subnet("pods-regional").id);
    expect(done.displayName).to.equal("pods-1");
    const vnic = await clients.vcn.getVnic({ vnicId: done.vnicId! });
    expect(vnic.vnic.freeformTags).to.deep.equal({ "ocipam.io/node": "worker-e4-8" });
    expect(vnic.vnic.isPrimary).to.equal(false);
  });

  it("lists an instance's VNIC attachments, filtered by instance and by VNIC, paged", async () => {
    const bm = instance("worker-bm-e4").id;
    await attachAndWait(clients, bm, subnet("pods-regional").id);
    const { vnicId } = await attachAndWait(clients, bm, subnet("pods-regional").id, { nicIndex: 1 });
    const page1 = await clients.compute.listVnicAttachments({ compartmentId, instanceId: bm, limit: 2 });
    expect(page1.items).to.have.length(2);
    const page2 = await clients.compute.listVnicAttachments({
      compartmentId,
      instanceId: bm,
      limit: 2,
      page: page1.opcNextPage,
    });
    expect(page2.items).to.have.length(1);
    expect(page2.opcNextPage).to.equal(undefined);
    const byVnic = await clients.compute.listVnicAttachments({ compartmentId, vnicId });
    expect(byVnic.items.map((a) => a.nicIndex)).to.deep.equal([1]);
  });

  it("answers 400 LimitExceeded past the shape's VNIC maximum (E4.Flex 1 OCPU: 2 VNICs)", async () => {
    const id = instance("worker-e4-1").id;
    await attachAndWait(clients, id, subnet("pods-regional").id);
    await expectOciError(
      () =>
        clients.compute.attachVnic({
          attachVnicDetails: { instanceId: id, createVnicDetails: { subnetId: subnet("pods-regional").id } },
        }),
      400,
      "LimitExceeded",
    );
  });

  it("frees the slot once a detached VNIC is DETACHED, and deletes the VNIC's private IPs", async () => {
    const id = instance("worker-e4-1").id;
    const { attachmentId, vnicId } = await attachAndWait(clients, id, subnet("pods-regional").id);
    const ip = await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
    await clients.compute.detachVnic({ vnicAttachmentId: attachmentId });
    const during = await clients.compute.getVnicAttachment({ vnicAttachmentId: attachmentId });
    expect(during.vnicAttachment.lifecycleState).to.be.oneOf([LifecycleState.Detaching, LifecycleState.Detached]);
    await eventually(async () => {
      const r = await clients.compute.getVnicAttachment({ vnicAttachmentId: attachmentId });
      return r.vnicAttachment.lifecycleState === LifecycleState.Detached;
    });
    await expectOciError(
      () => clients.vcn.getPrivateIp({ privateIpId: ip.privateIp.id! }),
      404,
      "NotAuthorizedOrNotFound",
    );
    expect((await clients.vcn.getVnic({ vnicId })).vnic.lifecycleState).to.equal("TERMINATED");
    await attachAndWait(clients, id, subnet("pods-regional").id);
  });

  it("refuses to detach the primary VNIC with 400 InvalidParameter", async () => {
    const id = instance("worker-e4-8").id;
    const { items } = await clients.compute.listVnicAttachments({ compartmentId, instanceId: id });
    await expectOciError(() => clients.compute.detachVnic({ vnicAttachmentId: items[0].id }), 400, "InvalidParameter");
  });

  it("answers 409 IncorrectState when detaching an attachment that is still ATTACHING", async () => {
    const {
      emulator,
      clients: slow,
      close: closeSlow,
    } = await startWithClients({ latency: { vnicAttach: 60_000 }, timeScale: 1 });
    try {
      const snap = emulator.admin.snapshot();
      const { vnicAttachment } = await slow.compute.attachVnic({
        attachVnicDetails: {
          instanceId: byName(snap.instances, "worker-e4-8").id,
          createVnicDetails: { subnetId: byName(snap.subnets, "pods-regional").id },
        },
      });
      await expectOciError(
        () => slow.compute.detachVnic({ vnicAttachmentId: vnicAttachment.id }),
        409,
        "IncorrectState",
      );
    } finally {
      await closeSlow();
    }
  });

  it("accepts nicIndex 1 only on bare-metal shapes", async () => {
    await attachAndWait(clients, instance("worker-bm-e4").id, subnet("pods-regional").id, { nicIndex: 1 });
    await expectOciError(
      () =>
        clients.compute.attachVnic({
          attachVnicDetails: {
            instanceId: instance("worker-e4-8").id,
            nicIndex: 1,
            createVnicDetails: { subnetId: subnet("pods-regional").id },
          },
        }),
      400,
      "InvalidParameter",
    );
  });

  it("rejects a subnet in another availability domain with 400 InvalidParameter", async () => {
    // worker-e4-8 is in AD-2; workers-ad1 is an AD-1 subnet.
    await expectOciError(
      () =>
        clients.compute.attachVnic({
          attachVnicDetails: {
            instanceId: instance("worker-e4-8").id,
            createVnicDetails: { subnetId: subnet("workers-ad1").id },
          },
        }),
      400,
      "InvalidParameter",
    );
  });

  it("answers 400 RelatedResourceNotAuthorizedOrNotFound for an unknown instance or subnet in the body", async () => {
    await expectOciError(
      () =>
        clients.compute.attachVnic({
          attachVnicDetails: {
            instanceId: "ocid1.instance.oc1.iad.nope",
            createVnicDetails: { subnetId: subnet("pods-regional").id },
          },
        }),
      400,
      "RelatedResourceNotAuthorizedOrNotFound",
    );
    await expectOciError(
      () =>
        clients.compute.attachVnic({
          attachVnicDetails: {
            instanceId: instance("worker-e4-8").id,
            createVnicDetails: { subnetId: "ocid1.subnet.oc1.iad.nope" },
          },
        }),
      400,
      "RelatedResourceNotAuthorizedOrNotFound",
    );
  });

  it("attaches with NSGs of the subnet's VCN and stores them on the VNIC", async () => {
    const nsg = byName(world.nsgs, "nsg-pods").id;
    const { vnicId } = await attachAndWait(clients, instance("worker-e4-8").id, subnet("pods-regional").id, {
      createVnicDetails: { subnetId: subnet("pods-regional").id, nsgIds: [nsg], skipSourceDestCheck: true },
    });
    const vnic = (await clients.vcn.getVnic({ vnicId })).vnic;
    expect(vnic.nsgIds).to.deep.equal([nsg]);
    expect(vnic.skipSourceDestCheck).to.equal(true);
  });

  it("answers 409 IncorrectState when attaching to an instance that is not RUNNING", async () => {
    const {
      emulator,
      clients: c2,
      close: close2,
    } = await startWithClients({ latency: { instanceLaunch: 60_000 }, timeScale: 1 });
    try {
      const snap = emulator.admin.snapshot();
      const launched = emulator.admin.launchInstance({
        name: "new-node",
        shape: "VM.Standard.E4.Flex",
        ocpus: 2,
        subnet: "workers-ad1",
      });
      expect(launched.lifecycleState).to.equal("PROVISIONING");
      await expectOciError(
        () =>
          c2.compute.attachVnic({
            attachVnicDetails: {
              instanceId: launched.id as string,
              createVnicDetails: { subnetId: byName(snap.subnets, "pods-regional").id },
            },
          }),
        409,
        "IncorrectState",
      );
    } finally {
      await close2();
    }
  });

  it("serves the SDK's waiter for a VNIC attachment", async () => {
    const { vnicAttachment } = await clients.compute.attachVnic({
      attachVnicDetails: {
        instanceId: instance("worker-e4-8").id,
        createVnicDetails: { subnetId: subnet("pods-regional").id },
      },
    });
    const waiter = clients.compute.createWaiters(clients.workRequests, {
      terminationStrategy: new common.MaxAttemptsTerminationStrategy(50),
      delayStrategy: new common.FixedTimeDelayStrategy(0.01),
    });
    const r = await waiter.forVnicAttachment({ vnicAttachmentId: vnicAttachment.id }, LifecycleState.Attached);
    expect(r?.vnicAttachment.vnicId).to.match(/^ocid1\.vnic\./);
  });
});
