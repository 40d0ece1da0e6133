import { expect } from "chai";
import { SPLIT_COMPARTMENTS_WORLD } from "../../../lib/testbed/oci-emulator";
import { allocatorStatements, componentStatements } from "../../../lib/oci/project-policies";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { rejection, startFixture, type Fixture } from "./emulator-fixture";
import { pollUntil } from "../../support/poll";

/**
 * Every OCI operation of the allocator, through the real adapters and SDK, in a world whose network has its own
 * compartment, with IAM enforced by the project's own statements (lib/oci/project-policies.ts allocatorStatements).
 * The same operations with the statements in the wrong compartment are denied: that is what makes the placement a
 * tested fact and not a comment.
 */
describe("allocator IAM in a world with a separate network compartment (real adapters, IAM enforced)", () => {
  let f: Fixture;
  let ids: { ocipam: string; workers: string; network: string };
  const DG = "ocipam-allocator";

  beforeEach(async () => {
    f = await startFixture({
      emulator: { world: SPLIT_COMPARTMENTS_WORLD, enforceIam: true, policies: [], timeScale: 0.001 },
    });
    const byName = (n: string) => f.world.compartments.find((c) => c.name === n)!.id as string;
    ids = { ocipam: byName("ocipam"), workers: byName("workers"), network: byName("network") };
  });
  afterEach(async () => f.close());

  const grant = (statements: string[]) => f.emulator.admin.setPolicies(statements);
  const projectStatements = () =>
    allocatorStatements(DG, {
      instanceCompartmentIds: [ids.workers],
      networkCompartmentId: ids.network,
      secretCompartmentId: ids.ocipam,
    });
  const instanceId = () => f.byName(f.world.instances, "worker-1").id;
  const subnetId = (name: string) => f.byName(f.world.subnets, name).id;
  const nsgId = () => f.byName(f.world.nsgs, "nsg-pods").id;
  const notFound = async (call: () => Promise<unknown>) => {
    const err = await rejection(call);
    expect(err).to.be.instanceOf(OciApiError);
    expect((err as OciApiError).statusCode).to.equal(404);
  };

  async function attachTaggedVnic(): Promise<{ attachmentId: string; vnicId: string }> {
    const { value } = await f.adapters.compute.attachVnic({
      instanceId: instanceId(),
      subnetId: subnetId("pods-regional"),
      nsgIds: [nsgId()],
      displayName: "ocipam-pods-1",
      freeformTags: { "ocipam.io/cluster": "local" },
      retryToken: "split-attach-1",
    });
    const a = await pollUntil(
      async () => {
        const now = await f.adapters.compute.getVnicAttachment(value.id);
        return now.lifecycleState === "ATTACHED" && now;
      },
      { what: "the attachment to reach ATTACHED", timeoutMs: 2_000, intervalMs: 5 },
    );
    return { attachmentId: a.id, vnicId: a.vnicId! };
  }

  it("keeps VNICs and private IPs in the subnet's compartment and attachments in the instance's", async () => {
    grant(projectStatements());
    const { attachmentId, vnicId } = await attachTaggedVnic();
    const ip = await f.adapters.network.createPrivateIp({
      vnicId,
      displayName: "ip",
      freeformTags: {},
      retryToken: "split-ip-1",
    });
    const world = f.emulator.admin.snapshot();
    expect(world.vnicAttachments.find((a) => a.id === attachmentId)?.compartmentId).to.equal(ids.workers);
    expect(world.vnics.find((v) => v.id === vnicId)?.compartmentId).to.equal(ids.network);
    expect(world.vnics.filter((v) => v.isPrimary).map((v) => v.compartmentId)).to.deep.equal([ids.network]);
    expect(world.privateIps.find((p) => p.id === ip.value.id)?.compartmentId).to.equal(ids.network);
    expect(world.instances[0].compartmentId).to.equal(ids.workers);
  });

  it("allows every allocator operation with the project's statements (instance side, network side)", async () => {
    grant(projectStatements());
    expect((await f.adapters.compute.getInstance(instanceId())).compartmentId).to.equal(ids.workers);
    const { attachmentId, vnicId } = await attachTaggedVnic();
    expect(await f.adapters.compute.listVnicAttachments(ids.workers, instanceId())).to.have.length(2);
    expect(await f.adapters.compute.listVnicAttachmentsInCompartment(ids.workers)).to.have.length(2);
    expect((await f.adapters.network.getVnic(vnicId)).nsgIds).to.deep.equal([nsgId()]);
    const ip = await f.adapters.network.createPrivateIp({
      vnicId,
      displayName: "ip",
      freeformTags: { a: "1" },
      retryToken: "split-ip-2",
    });
    expect((await f.adapters.network.listPrivateIps(vnicId)).map((p) => p.id)).to.include(ip.value.id);
    expect((await f.adapters.network.listPrivateIpsInSubnet(subnetId("pods-regional"))).map((p) => p.id)).to.include(
      ip.value.id,
    );
    expect((await f.adapters.network.updatePrivateIpTags(ip.value.id, { b: "2" })).value.freeformTags).to.deep.equal({
      b: "2",
    });
    expect((await f.adapters.network.updateVnicTags(vnicId, { c: "3" })).value.freeformTags).to.deep.equal({ c: "3" });
    expect(
      (await f.adapters.network.listSubnets(ids.network, f.world.vcns[0].id as string)).map((s) => s.id),
    ).to.have.length(3);
    expect(await f.adapters.network.countAssignedIps(subnetId("pods-regional"))).to.equal(2);
    expect(
      (await f.adapters.network.listNetworkSecurityGroups(ids.network, f.world.vcns[0].id as string)).map((n) => n.id),
    ).to.deep.equal([nsgId()]);
    const bulk = await f.adapters.network.bulkCreatePrivateIps({
      vnicId,
      items: [{ displayName: "b", freeformTags: {} }],
      retryToken: "split-bulk-1",
    });
    const outcome = await f.adapters.network.waitForWorkRequest(bulk.value.workRequestId, new Date(Date.now() + 5000));
    expect(outcome.status).to.equal("SUCCEEDED");
    await f.adapters.network.deletePrivateIp(ip.value.id);
    await f.adapters.compute.detachVnic(attachmentId);
  });

  it("denies the network-side operations when every grant is in the instance compartment", async () => {
    grant(componentStatements("allocator", DG, [ids.workers]));
    await f.adapters.compute.getInstance(instanceId());
    const primary = f.world.vnics.find((v) => v.isPrimary)!.id as string;
    await notFound(() => f.adapters.network.getVnic(primary));
    await notFound(() => f.adapters.network.listPrivateIps(primary));
    await notFound(() => f.adapters.network.countAssignedIps(subnetId("pods-regional")));
    const before = f.emulator.admin.snapshot().vnics.length;
    const err = await rejection(() =>
      f.adapters.compute.attachVnic({
        instanceId: instanceId(),
        subnetId: subnetId("pods-regional"),
        nsgIds: [],
        displayName: "x",
        freeformTags: {},
        retryToken: "split-attach-2",
      }),
    );
    expect((err as OciApiError).statusCode).to.equal(404);
    expect(f.emulator.admin.snapshot().vnics).to.have.length(before);
  });

  it("denies the instance-side operations when every grant is in the network compartment", async () => {
    grant(componentStatements("allocator", DG, [ids.network]));
    const primary = f.world.vnics.find((v) => v.isPrimary)!.id as string;
    await f.adapters.network.getVnic(primary);
    await notFound(() => f.adapters.compute.getInstance(instanceId()));
    await notFound(() => f.adapters.compute.listVnicAttachments(ids.workers, instanceId()));
  });

  it("denies reading a bulk work request without the spawning operation's PRIVATE_IP_CREATE", async () => {
    grant(projectStatements());
    const primary = f.world.vnics.find((v) => v.isPrimary)!.id as string;
    const bulk = await f.adapters.network.bulkCreatePrivateIps({
      vnicId: primary,
      items: [{ displayName: "b", freeformTags: {} }],
      retryToken: "split-bulk-2",
    });
    grant(projectStatements().map((s) => s.replace("PRIVATE_IP_CREATE, ", "")));
    await notFound(() => f.adapters.network.waitForWorkRequest(bulk.value.workRequestId, new Date(Date.now() + 2000)));
  });
});
