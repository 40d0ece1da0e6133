import { expect } from "chai";
import type { OciEmulator, WorldSnapshot } from "../../lib/testbed/oci-emulator";
import { byName, eventually, expectOciError, startWithClients, type Clients } from "./helpers";

describe("OCI emulator: opc-retry-token idempotency", () => {
  let emulator: OciEmulator;
  let clients: Clients;
  let close: () => Promise<void>;
  let world: WorldSnapshot;
  let vnicId: string;

  beforeEach(async () => {
    ({ emulator, clients, close } = await startWithClients());
    world = emulator.admin.snapshot();
    vnicId = world.vnics.find((v) => v.instanceId === byName(world.instances, "worker-e4-8").id)!.id;
  });
  afterEach(async () => close());

  const secondaryCount = () =>
    emulator.admin.snapshot().privateIps.filter((p) => p.vnicId === vnicId && !p.isPrimary).length;

  it("answers the same token and request with the same private IP and creates no second one", async () => {
    const details = { vnicId, freeformTags: { "ocipam.io/slot": "1" } };
    const a = await clients.vcn.createPrivateIp({ createPrivateIpDetails: details, opcRetryToken: "node-a-slot-1" });
    const b = await clients.vcn.createPrivateIp({ createPrivateIpDetails: details, opcRetryToken: "node-a-slot-1" });
    expect(b.privateIp.id).to.equal(a.privateIp.id);
    expect(b.privateIp.ipAddress).to.equal(a.privateIp.ipAddress);
    expect(secondaryCount()).to.equal(1);
  });

  it("creates one object for concurrent calls with the same token", async () => {
    const {
      emulator: slow,
      clients: c,
      close: closeSlow,
    } = await startWithClients({ latency: { requests: { CreatePrivateIp: 50 } }, timeScale: 1 });
    try {
      const snap = slow.admin.snapshot();
      const v = snap.vnics[0].id;
      const calls = Array.from({ length: 4 }, () =>
        c.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId: v }, opcRetryToken: "same" }),
      );
      const results = await Promise.all(calls);
      expect(new Set(results.map((r) => r.privateIp.id)).size).to.equal(1);
      expect(slow.admin.snapshot().privateIps.filter((p) => p.vnicId === v && !p.isPrimary)).to.have.length(1);
    } finally {
      await closeSlow();
    }
  });

  it("answers 409 Conflict when the token is reused with a different request", async () => {
    await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId, displayName: "a" }, opcRetryToken: "tok" });
    await expectOciError(
      () => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId, displayName: "b" }, opcRetryToken: "tok" }),
      409,
      "Conflict",
    );
    expect(secondaryCount()).to.equal(1);
  });

  it("answers 409 InvalidatedRetryToken when the object the token created was deleted", async () => {
    const a = await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId }, opcRetryToken: "gone" });
    await clients.vcn.deletePrivateIp({ privateIpId: a.privateIp.id! });
    await expectOciError(
      () => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId }, opcRetryToken: "gone" }),
      409,
      "InvalidatedRetryToken",
    );
    expect(secondaryCount()).to.equal(0);
  });

  it("executes a retry again when the first call failed (tokens keep only successes)", async () => {
    const fault = emulator.admin.injectFault({ operation: "CreatePrivateIp", status: 500, count: 1 });
    await expectOciError(
      () => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId }, opcRetryToken: "retry-me" }),
      500,
      "InternalServerError",
    );
    emulator.admin.removeFault(fault);
    const ok = await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId }, opcRetryToken: "retry-me" });
    expect(ok.privateIp.vnicId).to.equal(vnicId);
    expect(secondaryCount()).to.equal(1);
  });

  it("treats an expired token (after 24 h) as new", async () => {
    await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId }, opcRetryToken: "day-old" });
    emulator.admin.expireRetryTokens();
    await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId }, opcRetryToken: "day-old" });
    expect(secondaryCount()).to.equal(2);
  });

  it("rejects a token longer than 64 characters with 400 InvalidParameter", async () => {
    await expectOciError(
      () => clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId }, opcRetryToken: "x".repeat(65) }),
      400,
      "InvalidParameter",
    );
  });

  it("makes AttachVnic and BulkCreatePrivateIps idempotent too", async () => {
    const instanceId = byName(world.instances, "worker-e4-8").id;
    const subnetId = byName(world.subnets, "pods-regional").id;
    const attach = () =>
      clients.compute.attachVnic({
        attachVnicDetails: { instanceId, createVnicDetails: { subnetId } },
        opcRetryToken: "attach-1",
      });
    const a = await attach();
    const b = await attach();
    expect(b.vnicAttachment.id).to.equal(a.vnicAttachment.id);
    expect(emulator.admin.snapshot().instances.find((i) => i.id === instanceId)!.activeVnicAttachments).to.equal(2);

    const bulk = () =>
      clients.vcn.bulkCreatePrivateIps({
        bulkCreatePrivateIpsDetails: { vnicId, bulkCreatePrivateIpItem: [{}, {}] },
        opcRetryToken: "bulk-1",
      });
    const w1 = await bulk();
    const w2 = await bulk();
    expect(w2.opcWorkRequestId).to.equal(w1.opcWorkRequestId);
    await eventually(
      async () =>
        (await clients.workRequests.getWorkRequest({ workRequestId: w1.opcWorkRequestId! })).workRequest.status ===
        "SUCCEEDED",
    );
    expect(secondaryCount()).to.equal(2);
  });
});
