import { expect } from "chai";
import { silentLogger } from "../../lib/log";
import type { LocalReport } from "../../lib/testbed/local/report";
import { runLocal } from "../../lib/testbed/local/run-local";

/** What a seed must reproduce: per node pool, use, pods, waiting pods, VNICs and state; IPs and VNICs created. */
const outcome = (r: LocalReport) => ({
  perNode: r.perNode.map(({ node, pool, used, pods, podsWaiting, vnics, state }) => ({
    node,
    pool,
    used,
    pods,
    podsWaiting,
    vnics,
    state,
  })),
  ipsAllocated: r.ipsAllocated,
  vnicsAttached: r.vnicsAttached,
  podsWaiting: r.podsWaiting,
  ok: r.ok,
});

describe("ocipam local reports", function () {
  this.timeout(180_000);
  const run = (over: Partial<Parameters<typeof runLocal>[0]> = {}) =>
    runLocal({
      scenario: "scale-up",
      nodes: 2,
      shape: "VM.Standard.E4.Flex",
      ocpus: 2,
      timeScale: 0.05,
      seed: 5,
      log: silentLogger(),
      ...over,
    });

  it("reproduces the per-node pools and counts of a run with the same seed, the witness IP included", async () => {
    const first = await run();
    const second = await run();
    expect(outcome(second)).to.deep.equal(outcome(first));
    expect(first.ok, first.failures.join("; ")).to.equal(true);
    for (const r of [first, second]) {
      expect(r.safety.find((c) => c.property.startsWith("3."))?.detail).to.contain("1 foreign IPs intact");
      expect(r.perNode.map((n) => n.pool)).to.deep.equal([50, 50]);
    }
  });

  it("counts only the allocator's Core API calls in ociCallsTotal and ociCallsPerAllocatedIp", async () => {
    const r = await run({ nodes: 1 });
    const allocatorCalls = Object.values(r.ociCallsAllocator).reduce((a, n) => a + n, 0);
    expect(r.ociCallsTotal).to.equal(allocatorCalls).and.be.greaterThan(0);
    expect(r.ociCallsPerAllocatedIp).to.equal(r.ociCallsTotal / r.ipsAllocated);
    // The watcher's, the Connector Hub stand-in's and the Vault read are other services; the harness's own
    // "another tool" CreatePrivateIp is signed by another key: the emulator saw it, the allocator's count does not.
    expect(Object.keys(r.ociCallsAllocator)).to.not.include.members(["PutMessages", "GetMessages", "CreateCursor"]);
    expect(r.ociCallsAllocator).to.not.have.property("GetSecretBundle");
    expect(r.ociCalls.PutMessages).to.be.greaterThan(0);
    expect(r.ociCalls.CreatePrivateIp).to.equal(r.ociCallsAllocator.CreatePrivateIp! + 1);
    expect(r.ociCallsAllocator.CreatePrivateIp).to.equal(r.ipsAllocated);
  });

  it("reports pods waiting on a node at capacity by its shape and passes the run with a flag", async () => {
    // VM.Standard.E2.1.Micro has one VNIC: 31 secondary IPs less the witness, for 40 pods and the agent's 2 addresses.
    const r = await run({ nodes: 1, shape: "VM.Standard.E2.1.Micro" });
    const [node] = r.perNode;
    expect(node).to.include({
      state: "AtCapacity",
      reason: "VnicSlotsExhausted",
      vnics: 1,
      vnicSlots: 1,
      atShapeCapacity: true,
    });
    expect(node!.pool).to.equal(node!.used);
    expect(node!.podsWaiting)
      .to.equal(42 - node!.pool)
      .and.be.greaterThan(0);
    expect(r.podsWaiting).to.equal(node!.podsWaiting);
    expect(r.nodesAtShapeCapacity).to.deep.equal(["worker-000"]);
    expect(r.quiesced).to.equal(true);
    expect(r.ok, r.failures.join("; ")).to.equal(true);
    expect(r.flags).to.have.length(1);
    expect(r.flags[0]).to.match(/pods wait on worker-000 .*the shape holds no more/);
  });
});
