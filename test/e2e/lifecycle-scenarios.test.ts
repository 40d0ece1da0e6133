import { expect } from "chai";
import { silentLogger } from "../../lib/log";
import { runLocal } from "../../lib/testbed/local/run-local";

const run = (scenario: string) =>
  runLocal({
    scenario,
    nodes: 2,
    shape: "VM.Standard.E4.Flex",
    ocpus: 2,
    timeScale: 0.1,
    seed: 3,
    log: silentLogger(),
  });

describe("ocipam local lifecycle scenarios (the whole pipeline)", function () {
  this.timeout(240_000);

  it("scale-down: returns excess IPs through the handshake and never an IP in use", async () => {
    const report = await run("scale-down");
    expect(
      report.safety.filter((c) => !c.ok),
      JSON.stringify(report.safety, null, 1),
    ).to.deep.equal([]);
    expect(report.ociCalls.DeletePrivateIp).to.be.greaterThan(0);
    for (const node of report.perNode) expect(node.pool - node.used, node.node).to.be.at.most(8);
    expect(report.ok).to.equal(true);
  });

  it("launch-prewarm: the pool is prepared before the CiliumNode exists", async () => {
    const report = await run("launch-prewarm");
    expect(
      report.safety.filter((c) => !c.ok),
      JSON.stringify(report.safety, null, 1),
    ).to.deep.equal([]);
    expect(report.safety.map((c) => c.property)).to.include(
      "launch-prewarm: pre-allocate IPs exist when the CiliumNode is created",
    );
    expect(report.ok).to.equal(true);
  });

  it(
    "leak: collects the IPs and VNIC of a node that left, within the " + "collector's passes, and touches nothing else",
    async () => {
      const report = await run("leak");
      expect(
        report.safety.filter((c) => !c.ok),
        JSON.stringify(report.safety, null, 1),
      ).to.deep.equal([]);
      expect(report.perNode).to.have.length(1);
      expect(report.ok).to.equal(true);
    },
  );
});
