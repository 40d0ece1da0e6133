import { expect } from "chai";
import { OciDeadlineError } from "../../../lib/adapters/oci/errors";
import { DEFAULT_WORLD } from "../../../lib/testbed/oci-emulator";
import type { OciApiError } from "../../../lib/ports/oci-errors";
import { quietly, rejection, startFixture, type Fixture } from "./emulator-fixture";
import { poll } from "../../support/poll";

describe("OciNetworkAdapter over the OCI emulator (real VirtualNetworkClient and WorkRequestClient)", () => {
  let f: Fixture;
  beforeEach(async () => {
    // Two secondary IPs per VNIC so "VNIC full" is reachable in a test.
    f = await startFixture({ emulator: { world: { ...DEFAULT_WORLD, secondaryIpsPerVnic: 2 } }, pageSize: 2 });
  });
  afterEach(async () => f.close());

  const primaryVnic = (instanceName: string) => {
    const id = f.byName(f.world.instances, instanceName).id;
    const v = f.world.vnics.find((x) => x.instanceId === id && x.isPrimary === true);
    if (!v) throw new Error(`no primary VNIC for ${instanceName}`);
    return v;
  };
  const subnet = (name: string) => f.byName(f.world.subnets, name);
  const tags = { "ocipam.io/cluster": "local", "ocipam.io/node": "worker-e4-8" };

  it("returns a VNIC with primary flag, subnet, MAC, primary address, NSGs and tags", async () => {
    const v = await f.adapters.network.getVnic(primaryVnic("worker-e4-8").id);
    expect(v).to.include({
      id: primaryVnic("worker-e4-8").id,
      isPrimary: true,
      subnetId: subnet("workers-ad2").id,
      lifecycleState: "AVAILABLE",
    });
    expect(v.macAddress).to.match(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/i);
    expect(v.privateIp).to.match(/^10\.0\.2\.\d+$/);
    expect(v.nsgIds).to.deep.equal([f.byName(f.world.nsgs, "nsg-workers").id]);
    expect(v.freeformTags).to.be.an("object");
  });

  it("creates a tagged private IP with the retry token and returns it with its opc-request-id", async () => {
    const vnicId = primaryVnic("worker-e4-8").id;
    const m = await f.adapters.network.createPrivateIp({
      vnicId,
      displayName: "ocipam-ip-1",
      freeformTags: tags,
      retryToken: "ocipam-ip-token-1",
    });
    expect(m.opcRequestId).to.be.a("string");
    expect(m.value).to.include({ vnicId, subnetId: subnet("workers-ad2").id, isPrimary: false });
    expect(m.value.freeformTags).to.deep.equal(tags);
    expect(m.value.ipAddress).to.match(/^10\.0\.2\.\d+$/);
    expect(f.emulator.admin.snapshot().privateIps.find((p) => p.id === m.value.id)?.displayName).to.equal(
      "ocipam-ip-1",
    );
  });

  it("returns the same IP, creating nothing, when a create is repeated with the same retry token", async () => {
    const vnicId = primaryVnic("worker-e4-8").id;
    const request = { vnicId, displayName: "ocipam-ip-2", freeformTags: tags, retryToken: "ocipam-ip-token-2" };
    const a = await f.adapters.network.createPrivateIp(request);
    const b = await f.adapters.network.createPrivateIp(request);
    expect(b.value.id).to.equal(a.value.id);
    expect(b.value.ipAddress).to.equal(a.value.ipAddress);
    expect(f.emulator.admin.snapshot().vnics.find((v) => v.id === vnicId)?.secondaryIpCount).to.equal(1);
  });

  it("creates exactly one IP when an attempt times out client-side and the retry reuses its token", async () => {
    // The emulator holds the faulted request 300 ms (then handles it normally); the adapter aborts it after 100 ms and
    // retries with the same opc-retry-token, so both requests name the same creation and OCI creates one IP.
    const f2 = await startFixture({ policy: { attemptTimeoutMs: 100, minAttemptMs: 10 } });
    try {
      const vnic = f2.world.vnics.find(
        (v) => v.isPrimary === true && v.instanceId === f2.byName(f2.world.instances, "worker-e4-1").id,
      )!;
      await f2.adapters.network.getVnic(vnic.id); // warm the client: the first request of a process is slow to start
      f2.emulator.admin.injectFault({ operation: "CreatePrivateIp", delayMs: 300, count: 1 });
      const m = await quietly(() =>
        f2.adapters.network.createPrivateIp({
          vnicId: vnic.id,
          displayName: "slow",
          freeformTags: tags,
          retryToken: "ocipam-ip-slow",
        }),
      );
      expect(f2.adapters.counters.snapshot().operations.CreatePrivateIp.attempts).to.be.at.least(2);
      // Wait until the held request has been answered too (the replay of the same token), then count.
      await poll(() => (f2.emulator.admin.countersByStatus().CreatePrivateIp?.[200] ?? 0) >= 2, { timeoutMs: 2_000 });
      expect(f2.emulator.admin.countersByStatus().CreatePrivateIp?.[200]).to.be.at.least(2);
      const ips = f2.emulator.admin.snapshot().privateIps.filter((p) => p.vnicId === vnic.id && p.isPrimary === false);
      expect(ips.map((p) => p.id)).to.deep.equal([m.value.id]);
    } finally {
      await f2.close();
    }
  });

  it("answers 409 Conflict, without retrying, when a retry token is reused for a different request", async () => {
    const vnicId = primaryVnic("worker-e4-8").id;
    await f.adapters.network.createPrivateIp({
      vnicId,
      displayName: "a",
      freeformTags: tags,
      retryToken: "ocipam-ip-token-3",
    });
    const err = (await rejection(() =>
      f.adapters.network.createPrivateIp({
        vnicId,
        displayName: "b",
        freeformTags: tags,
        retryToken: "ocipam-ip-token-3",
      }),
    )) as OciApiError;
    expect({ status: err.statusCode, code: err.serviceCode, retryable: err.retryable }).to.deep.equal({
      status: 409,
      code: "Conflict",
      retryable: false,
    });
    expect(f.emulator.admin.countersByStatus().CreatePrivateIp).to.deep.equal({ 200: 1, 409: 1 });
  });

  it("throws a non-retryable LimitExceeded when the VNIC has no room for another secondary IP", async () => {
    const vnicId = primaryVnic("worker-e4-8").id;
    for (const n of [1, 2])
      await f.adapters.network.createPrivateIp({
        vnicId,
        displayName: `ip${n}`,
        freeformTags: tags,
        retryToken: `ocipam-full-${n}`,
      });
    const err = (await rejection(() =>
      f.adapters.network.createPrivateIp({
        vnicId,
        displayName: "ip3",
        freeformTags: tags,
        retryToken: "ocipam-full-3",
      }),
    )) as OciApiError;
    expect({ status: err.statusCode, code: err.serviceCode, retryable: err.retryable }).to.deep.equal({
      status: 400,
      code: "LimitExceeded",
      retryable: false,
    });
  });

  it("lists every private IP of a VNIC across pages, primary flagged", async () => {
    const vnicId = primaryVnic("worker-e4-8").id;
    for (const n of [1, 2])
      await f.adapters.network.createPrivateIp({
        vnicId,
        displayName: `ip${n}`,
        freeformTags: tags,
        retryToken: `ocipam-list-${n}`,
      });
    f.emulator.admin.resetCounters();
    const ips = await f.adapters.network.listPrivateIps(vnicId);
    expect(ips).to.have.length(3);
    expect(ips.filter((p) => p.isPrimary)).to.have.length(1);
    expect(ips.filter((p) => !p.isPrimary).map((p) => p.freeformTags)).to.deep.equal([tags, tags]);
    // pageSize 2: two pages.
    expect(f.emulator.admin.counters().ListPrivateIps).to.equal(2);
  });

  it("deletes a private IP, and a second delete is a not-found error", async () => {
    const vnicId = primaryVnic("worker-e4-8").id;
    const ip = await f.adapters.network.createPrivateIp({
      vnicId,
      displayName: "gone",
      freeformTags: tags,
      retryToken: "ocipam-del-1",
    });
    const m = await f.adapters.network.deletePrivateIp(ip.value.id);
    expect(m.opcRequestId).to.be.a("string");
    expect(m.value).to.equal(undefined);
    expect((await f.adapters.network.listPrivateIps(vnicId)).map((p) => p.id)).not.to.include(ip.value.id);
    const err = (await rejection(() => f.adapters.network.deletePrivateIp(ip.value.id))) as OciApiError;
    expect(err.notFound).to.equal(true);
  });

  it("lists the VCN's AVAILABLE subnets across pages, regional ones with a null availability domain", async () => {
    const vcnId = f.world.vcns[0].id as string;
    const subnets = await f.adapters.network.listSubnets(f.compartmentId, vcnId);
    expect(subnets.map((s) => s.id).sort()).to.deep.equal(f.world.subnets.map((s) => s.id).sort());
    const regional = subnets.find((s) => s.id === subnet("pods-regional").id)!;
    expect(regional).to.include({
      availabilityDomain: null,
      cidrBlock: "10.0.16.0/20",
      virtualRouterIp: "10.0.16.1",
      vcnId,
      lifecycleState: "AVAILABLE",
    });
    expect(regional.freeformTags).to.deep.equal({ "ocipam.io/role": "pods" });
    expect(subnets.find((s) => s.id === subnet("workers-ad1").id)?.availabilityDomain).to.match(/AD-1$/);
    expect(f.emulator.admin.counters().ListSubnets).to.equal(2);
  });

  it("counts a subnet's assigned addresses from its IP inventory", async () => {
    const before = await f.adapters.network.countAssignedIps(subnet("workers-ad2").id);
    const vnicId = primaryVnic("worker-e4-8").id;
    for (const n of [1, 2])
      await f.adapters.network.createPrivateIp({
        vnicId,
        displayName: `c${n}`,
        freeformTags: tags,
        retryToken: `ocipam-count-${n}`,
      });
    expect(await f.adapters.network.countAssignedIps(subnet("workers-ad2").id)).to.equal(before + 2);
    // Two instances' primary IPs live in workers-ad2 (worker-e4-8, worker-bm-e4).
    expect(before).to.equal(2);
    expect(await f.adapters.network.countAssignedIps(subnet("pods-tiny-ad1").id)).to.equal(0);
  });

  it("lists the VCN's network security groups with their tags", async () => {
    const nsgs = await f.adapters.network.listNetworkSecurityGroups(f.compartmentId, f.world.vcns[0].id as string);
    expect(nsgs.map((n) => n.id).sort()).to.deep.equal(f.world.nsgs.map((n) => n.id as string).sort());
    expect(nsgs.find((n) => n.id === f.byName(f.world.nsgs, "nsg-pods").id)?.freeformTags).to.deep.equal({
      "ocipam.io/role": "pods",
    });
  });

  it("bulk-creates tagged IPs as a work request and waits for it to succeed", async () => {
    const vnicId = primaryVnic("worker-e4-1").id;
    const items = [
      { displayName: "bulk-1", freeformTags: tags },
      { displayName: "bulk-2", freeformTags: tags },
    ];
    const m = await f.adapters.network.bulkCreatePrivateIps({ vnicId, items, retryToken: "ocipam-bulk-1" });
    expect(m.value.workRequestId).to.match(/^ocid1\.coreservicesworkrequest\./);
    expect(m.opcRequestId).to.be.a("string");
    const outcome = await f.adapters.network.waitForWorkRequest(m.value.workRequestId, new Date(Date.now() + 5000));
    expect(outcome.status).to.equal("SUCCEEDED");
    expect(outcome.percentComplete).to.equal(100);
    expect(outcome.errors).to.deep.equal([]);
    expect(outcome.resources.map((r) => [r.entityType, r.actionType])).to.deep.equal([
      ["privateip", "CREATED"],
      ["privateip", "CREATED"],
    ]);
    const listed = await f.adapters.network.listPrivateIps(vnicId);
    for (const r of outcome.resources)
      expect(listed.find((p) => p.id === r.identifier)?.freeformTags).to.deep.equal(tags);
    expect(f.adapters.counters.snapshot().operations.GetWorkRequest.calls).to.be.at.least(1);
  });

  it("reports a failed bulk work request with its listed errors", async () => {
    const vnicId = primaryVnic("worker-e4-1").id;
    const items = [1, 2, 3].map((n) => ({ displayName: `too-many-${n}`, freeformTags: tags }));
    const m = await f.adapters.network.bulkCreatePrivateIps({ vnicId, items, retryToken: "ocipam-bulk-2" });
    const outcome = await f.adapters.network.waitForWorkRequest(m.value.workRequestId, new Date(Date.now() + 5000));
    expect(outcome.status).to.equal("FAILED");
    expect(outcome.errors.map((e) => e.code)).to.deep.equal(["LimitExceeded"]);
    expect(outcome.resources).to.deep.equal([]);
  });

  it("stops waiting for a work request at the deadline with OciDeadlineError naming it", async () => {
    const slow = await startFixture({ emulator: { latency: { ...zeroLatency(), bulkWorkRequest: 60_000 } } });
    try {
      const vnicId = slow.world.vnics.find((v) => v.isPrimary === true)!.id;
      const m = await slow.adapters.network.bulkCreatePrivateIps({
        vnicId,
        items: [{ displayName: "x", freeformTags: {} }],
        retryToken: "ocipam-bulk-3",
      });
      const deadline = new Date(Date.now() + 300);
      const err = await rejection(() => slow.adapters.network.waitForWorkRequest(m.value.workRequestId, deadline));
      expect(err).to.be.instanceOf(OciDeadlineError);
      expect((err as OciDeadlineError).context).to.include({ workRequestId: m.value.workRequestId });
      expect(["ACCEPTED", "IN_PROGRESS"]).to.include((err as OciDeadlineError).context.lastStatus);
      expect(Date.now()).to.be.at.most(deadline.getTime());
    } finally {
      await slow.close();
    }
  });
});

function zeroLatency() {
  return {
    requests: {},
    defaultRead: 0,
    defaultWrite: 0,
    vnicAttach: 0,
    vnicDetach: 0,
    instanceLaunch: 0,
    instanceTerminate: 0,
  };
}
