import { expect } from "chai";
import { OciNotAuthorizedOrNotFoundError } from "../../../lib/adapters/oci/not-authorized";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { quietly, rejection, startFixture, type Fixture } from "./emulator-fixture";
import { pollUntil } from "../../support/poll";

function waitAttached(f: Fixture, attachmentId: string) {
  return pollUntil(
    async () => {
      const a = await f.adapters.compute.getVnicAttachment(attachmentId);
      return a.lifecycleState === "ATTACHED" && a;
    },
    { what: "the attachment to reach ATTACHED", timeoutMs: 1_000, intervalMs: 5 },
  );
}

describe("OciComputeAdapter over the OCI emulator (real ComputeClient)", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture({ emulator: { timeScale: 0.001 }, pageSize: 1 });
  });
  afterEach(async () => f.close());

  const instance = (name: string) => f.byName(f.world.instances, name);
  const subnet = (name: string) => f.byName(f.world.subnets, name);

  it("returns the instance with its per-instance VNIC limit, tags and creation time as a string", async () => {
    const i = await f.adapters.compute.getInstance(instance("worker-e4-8").id);
    expect(i).to.include({
      id: instance("worker-e4-8").id,
      shape: "VM.Standard.E4.Flex",
      displayName: "worker-e4-8",
      lifecycleState: "RUNNING",
      maxVnicAttachments: 8,
    });
    expect(i.compartmentId).to.equal(f.compartmentId);
    expect(i.availabilityDomain).to.match(/AD-2$/);
    expect(i.freeformTags).to.deep.equal({ "ocipam.io/cluster": "local" });
    expect(i.timeCreated).to.be.a("string");
    expect((await f.adapters.compute.getInstance(instance("worker-e4-1").id)).maxVnicAttachments).to.equal(2);
  });

  it("logs each call at debug with operation, opc-request-id, instance, latency and result", async () => {
    await f.adapters.compute.getInstance(instance("worker-e4-1").id);
    const line = f.logs.lines.find((l) => l.msg === "oci call" && l.operation === "GetInstance");
    expect(line).to.include({ level: "debug", instance: instance("worker-e4-1").id, attempts: 1, ok: true });
    expect(line?.opcRequestId).to.be.a("string").and.not.equal("");
    expect(line?.durationMs).to.be.a("number");
  });

  it("throws a not-found OciApiError for an unknown instance at once when the caller treats 404 as gone", async () => {
    const unknown = () => f.adapters.compute.getInstance("ocid1.instance.oc1.iad.nope", { notFoundIsGone: true });
    const err = (await rejection(unknown)) as OciApiError;
    expect(err).to.be.instanceOf(OciApiError);
    expect(err.notFound).to.equal(true);
    expect(err.serviceCode).to.equal("NotAuthorizedOrNotFound");
    expect(err.opcRequestId).to.be.a("string");
    expect(err.operation).to.equal("GetInstance");
    expect(f.emulator.admin.counters().GetInstance).to.equal(1);
  });

  it("retries a 404 for the IAM-propagation window, then names the permission and compartment to check", async () => {
    const unknown = () => f.adapters.compute.getInstance("ocid1.instance.oc1.iad.nope");
    const err = (await rejection(unknown)) as OciNotAuthorizedOrNotFoundError;
    expect(err).to.be.instanceOf(OciNotAuthorizedOrNotFoundError);
    expect(err.notFound).to.equal(true);
    expect(err.message)
      .to.contain("GetInstance")
      .and.contain("{INSTANCE_READ} in the compartment of instance ocid1.instance.oc1.iad.nope");
    expect(f.emulator.admin.counters().GetInstance).to.be.greaterThan(1);
    const line = f.logs.lines.find((l) => l.msg === "oci call" && l.operation === "GetInstance" && l.ok === false);
    expect(line).to.include({ statusCode: 404, reason: "OciNotAuthorizedOrNotFound" });
  });

  it("attaches a tagged, named VNIC with its NSGs: ATTACHING without vnicId first, then ATTACHED with it", async () => {
    const request = {
      instanceId: instance("worker-e4-8").id,
      subnetId: subnet("pods-regional").id,
      nsgIds: [f.byName(f.world.nsgs, "nsg-pods").id],
      displayName: "ocipam-pods-1",
      freeformTags: { "ocipam.io/cluster": "local", "ocipam.io/node": "worker-e4-8" },
      retryToken: "ocipam-attach-test-1",
    };
    const m = await f.adapters.compute.attachVnic(request);
    expect(m.opcRequestId).to.be.a("string");
    expect(m.value.lifecycleState).to.equal("ATTACHING");
    expect(m.value.vnicId).to.equal(undefined);
    expect(m.value.instanceId).to.equal(request.instanceId);
    const attached = await waitAttached(f, m.value.id);
    expect(attached.vnicId).to.be.a("string");
    expect(attached.subnetId).to.equal(request.subnetId);
    expect(attached.nicIndex).to.equal(0);
    const vnic = await f.adapters.network.getVnic(attached.vnicId!);
    expect(vnic.isPrimary).to.equal(false);
    expect(vnic.freeformTags).to.deep.equal(request.freeformTags);
    expect(vnic.nsgIds).to.deep.equal(request.nsgIds);
    expect(f.emulator.admin.snapshot().vnics.find((v) => v.id === attached.vnicId)?.displayName).to.equal(
      "ocipam-pods-1",
    );
  });

  it("returns the same attachment when an attach is sent again with the same retry token", async () => {
    const request = {
      instanceId: instance("worker-e4-8").id,
      subnetId: subnet("pods-regional").id,
      nsgIds: [],
      displayName: "ocipam-pods-2",
      freeformTags: { "ocipam.io/node": "worker-e4-8" },
      retryToken: "ocipam-attach-test-2",
    };
    const first = await f.adapters.compute.attachVnic(request);
    const second = await f.adapters.compute.attachVnic(request);
    expect(second.value.id).to.equal(first.value.id);
    expect(f.emulator.admin.snapshot().vnicAttachments.filter((a) => a.displayName === "ocipam-pods-2")).to.have.length(
      1,
    );
  });

  it("lists every attachment of the instance across pages, in any state", async () => {
    const instanceId = instance("worker-e4-8").id;
    for (const n of [1, 2]) {
      await f.adapters.compute.attachVnic({
        instanceId,
        subnetId: subnet("pods-regional").id,
        nsgIds: [],
        displayName: `p${n}`,
        freeformTags: {},
        retryToken: `ocipam-list-${n}`,
      });
    }
    f.emulator.admin.resetCounters();
    const all = await f.adapters.compute.listVnicAttachments(f.compartmentId, instanceId);
    expect(all).to.have.length(3); // primary + 2
    expect(new Set(all.map((a) => a.id)).size).to.equal(3);
    for (const a of all) expect(a.instanceId).to.equal(instanceId);
    // pageSize 1: one request per page, the last page without opc-next-page.
    expect(f.emulator.admin.counters().ListVnicAttachments).to.equal(3);
    expect(f.adapters.counters.snapshot().operations.ListVnicAttachments.calls).to.equal(3);
  });

  it("retries a 409 IncorrectState attach and does not create a second VNIC", async () => {
    f.emulator.admin.injectFault({ operation: "AttachVnic", status: 409, code: "IncorrectState", count: 1 });
    const m = await quietly(() =>
      f.adapters.compute.attachVnic({
        instanceId: instance("worker-e4-1").id,
        subnetId: subnet("workers-ad1").id,
        nsgIds: [],
        displayName: "retry",
        freeformTags: {},
        retryToken: "ocipam-attach-409",
      }),
    );
    expect(m.value.lifecycleState).to.equal("ATTACHING");
    expect(f.emulator.admin.countersByStatus().AttachVnic).to.deep.equal({ 200: 1, 409: 1 });
    expect(f.adapters.counters.snapshot().operations.AttachVnic).to.include({
      calls: 1,
      attempts: 2,
      retries: 1,
      failures: 0,
    });
  });
});
