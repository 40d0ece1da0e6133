import { expect } from "chai";
import { silentLogger } from "../../lib/log";
import { runLocal } from "../../lib/testbed/local/run-local";

describe("the whole pipeline: watcher → stream → Connector Hub stand-in → function → CiliumNode", function () {
  this.timeout(180_000);

  it(
    "brings 10 joining nodes to pre-allocate and grows them past their " +
      "primary VNIC, with every safety property holding",
    async () => {
      const report = await runLocal({
        scenario: "scale-up",
        nodes: 10,
        shape: "VM.Standard.E4.Flex",
        ocpus: 2,
        timeScale: 0.1,
        seed: 1,
        log: silentLogger(),
      });
      expect(report.quiesced, "the run settles").to.equal(true);
      expect(
        report.safety.filter((c) => !c.ok),
        JSON.stringify(report.safety),
      ).to.deep.equal([]);
      expect(report.perNode).to.have.length(10);
      for (const node of report.perNode) {
        expect(node, node.node).to.include({ state: "Ready", pods: 40, used: 42, vnics: 2 });
        expect(node.pool - node.used, node.node).to.be.at.least(8);
        expect(node.joinToReadyS, node.node).to.be.a("number");
      }
      expect(report.nudgesPublished).to.be.greaterThan(0);
      expect(report.invocations).to.be.lessThan(report.nudgesPublished);
      expect(report.ok).to.equal(true);
    },
  );

  it("keeps pools in step with random pod churn without leaks or lost agent updates", async () => {
    const report = await runLocal({
      scenario: "churn",
      nodes: 3,
      shape: "VM.Standard.E4.Flex",
      ocpus: 2,
      timeScale: 0.1,
      seed: 7,
      log: silentLogger(),
    });
    expect(
      report.safety.filter((c) => !c.ok),
      JSON.stringify(report.safety),
    ).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    for (const node of report.perNode) expect(node.pool - node.used, node.node).to.be.at.least(8);
  });
});
