import { expect } from "chai";
import { KubeConflictError } from "../../lib/ports/kube-errors";
import { OciApiError, OciDeadlineError } from "../../lib/ports/oci-errors";
import { fakeDeps } from "../fakes/fake-deps";
import { caught } from "../support/capture";

/** The in-memory fakes answer as the real services do where the use cases depend on it. */

const ipRequest = (vnicId: string, retryToken: string, displayName = "ocipam n1") => ({
  vnicId,
  displayName,
  freeformTags: { "ocipam-cluster": "c1" },
  retryToken,
});

describe("in-memory fakes of the ports", () => {
  it("hand out subnet addresses lowest first, skipping the two reserved at the start of the block", async () => {
    const { world } = fakeDeps();
    const instance = world.oci.addInstance(world.nodeSubnet.id);
    const vnicId = world.oci.attachmentsOf(instance.id)[0]!.vnicId!;
    const created = await world.network.createPrivateIp(ipRequest(vnicId, "t1"));
    expect([world.oci.vnics.get(vnicId)!.privateIp, created.value.ipAddress]).to.deep.equal(["10.0.1.2", "10.0.1.3"]);
  });

  it("honour retry tokens: replay, 409 Conflict for a new body, 409 InvalidatedRetryToken after a delete", async () => {
    const { world } = fakeDeps();
    const instance = world.oci.addInstance(world.nodeSubnet.id);
    const vnicId = world.oci.attachmentsOf(instance.id)[0]!.vnicId!;
    const first = await world.network.createPrivateIp(ipRequest(vnicId, "t1"));
    const again = await world.network.createPrivateIp(ipRequest(vnicId, "t1"));
    expect(again.value.id).to.equal(first.value.id);
    expect(world.oci.ipsOfVnic(vnicId)).to.have.length(2);
    const other = await caught<OciApiError>(() =>
      world.network.createPrivateIp(ipRequest(vnicId, "t1", "another body")),
    );
    expect([other.statusCode, other.serviceCode, other.retryTokenRefused]).to.deep.equal([409, "Conflict", true]);
    await world.network.deletePrivateIp(first.value.id);
    const invalidated = await caught<OciApiError>(() => world.network.createPrivateIp(ipRequest(vnicId, "t1")));
    expect([invalidated.statusCode, invalidated.serviceCode]).to.deep.equal([409, "InvalidatedRetryToken"]);
  });

  it("keep an attachment ATTACHING, without a VNIC id, until its delay passes on the fake clock", async () => {
    const { world } = fakeDeps({ attachDelayMs: 5_000 });
    const instance = world.oci.addInstance(world.nodeSubnet.id);
    const started = await world.compute.attachVnic({
      instanceId: instance.id,
      subnetId: world.nodeSubnet.id,
      nsgIds: [],
      displayName: "a",
      freeformTags: {},
      retryToken: "a1",
    });
    expect(started.value).to.include({ lifecycleState: "ATTACHING" }).and.not.have.property("vnicId");
    world.clock.advance(5_000);
    const now = await world.compute.getVnicAttachment(started.value.id);
    expect(now.lifecycleState).to.equal("ATTACHED");
    expect(now.vnicId).to.be.a("string");
  });

  it("refuse an attachment past the shape's VNIC limit with 400 LimitExceeded", async () => {
    const { world } = fakeDeps();
    const instance = world.oci.addInstance(world.nodeSubnet.id, { maxVnicAttachments: 1 });
    const err = await caught<OciApiError>(() =>
      world.compute.attachVnic({
        instanceId: instance.id,
        subnetId: world.nodeSubnet.id,
        nsgIds: [],
        displayName: "a",
        freeformTags: {},
        retryToken: "a1",
      }),
    );
    expect([err.statusCode, err.serviceCode]).to.deep.equal([400, "LimitExceeded"]);
  });

  it("start no OCI call within the adapters' minimum attempt time of the caller's deadline", async () => {
    const { world } = fakeDeps();
    const err = await caught(() =>
      world.compute.getInstance("ocid1.instance.oc1..x", { deadline: new Date(world.clock.nowMs() + 100) }),
    );
    expect(err).to.be.instanceOf(OciDeadlineError);
  });

  it("refuse a CiliumNode write at a stale resourceVersion with a KubeConflictError", async () => {
    const { world } = fakeDeps();
    const view = world.ciliumNodes.create("n1");
    world.ciliumNodes.touch("n1");
    expect(await caught(() => world.ciliumNodes.writePool("n1", view.resourceVersion, {}, {}))).to.be.instanceOf(
      KubeConflictError,
    );
    expect(world.ciliumNodes.writes).to.deep.equal([]);
  });

  it("free a Lease once its holder's time ran out on the fake clock, and never while it is held", async () => {
    const { world } = fakeDeps();
    expect(await world.locks.tryAcquire("n1", "a", 10)).to.not.equal(undefined);
    expect(await world.locks.tryAcquire("n1", "b", 10)).to.equal(undefined);
    world.clock.advance(10_000);
    expect((await world.locks.tryAcquire("n1", "b", 10))?.holder).to.equal("b");
  });

  it("throw an injected fault before changing anything, for as many calls as asked", async () => {
    const { world } = fakeDeps();
    const instance = world.oci.addInstance(world.nodeSubnet.id);
    const vnicId = world.oci.attachmentsOf(instance.id)[0]!.vnicId!;
    world.oci.faults.inject("createPrivateIp", {
      times: 1,
      error: () => new OciApiError("CreatePrivateIp", "busy", { statusCode: 429 }),
    });
    expect(
      (await caught<OciApiError>(() => world.network.createPrivateIp(ipRequest(vnicId, "t1")))).statusCode,
    ).to.equal(429);
    expect(world.oci.ipsOfVnic(vnicId)).to.have.length(1);
    await world.network.createPrivateIp(ipRequest(vnicId, "t1"));
    expect(world.oci.ipsOfVnic(vnicId)).to.have.length(2);
  });
});
