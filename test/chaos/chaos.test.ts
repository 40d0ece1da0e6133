import { expect } from "chai";
import type { ConnectorMessage } from "../../lib/testbed/local/connector";
import { silentLogger } from "../../lib/log";
import { seededRandom } from "../../lib/testbed/local/simulation/seeded-random";
import { BatchChaos } from "./batch-chaos";
import { CHAOS_KINDS, CHAOS_MUTATION_OPERATIONS, LATE_KINDS, coveringEvents, planChaos } from "./chaos-plan";
import { renderChaos } from "./chaos-render";
import { runChaos } from "./chaos-run";
import { parseChaosArgs } from "./run-chaos";

const message = (offset: number): ConnectorMessage => ({
  stream: "s",
  partition: "0",
  key: null,
  value: `v${offset}`,
  offset,
  timestamp: "t",
});

describe("chaos plan and batch faults", () => {
  it("plans the same injections for the same seed, in time order, inside the window", () => {
    const a = planChaos(seededRandom(7), { events: 30, windowSimMs: 60_000, nodes: 3 });
    const b = planChaos(seededRandom(7), { events: 30, windowSimMs: 60_000, nodes: 3 });
    expect(a).to.deep.equal(b);
    expect(a.map((p) => p.atSimMs)).to.deep.equal([...a.map((p) => p.atSimMs)].sort((x, y) => x - y));
    expect(a.every((p) => p.atSimMs >= 0 && p.atSimMs < 60_000)).to.equal(true);
    expect(planChaos(seededRandom(8), { events: 30, windowSimMs: 60_000, nodes: 3 })).to.not.deep.equal(a);
  });

  for (const seed of [1, 2, 3, 11, 12, 13, 14, 15]) {
    it(`covers every kind once and faults every OCI mutation with coveringEvents() events (seed ${seed})`, () => {
      const plan = planChaos(seededRandom(seed), { events: coveringEvents(), windowSimMs: 80_000, nodes: 3 });
      expect([...new Set(plan.map((p) => p.event.kind))].sort()).to.deep.equal([...CHAOS_KINDS].sort());
      const faulted = new Set(plan.flatMap((p) => ("operation" in p.event ? [p.event.operation] : [])));
      expect(CHAOS_MUTATION_OPERATIONS.filter((op) => !faulted.has(op))).to.deep.equal([]);
      const late = plan.filter((p) => LATE_KINDS.includes(p.event.kind));
      expect(late.every((p) => p.atSimMs >= 20_000 && p.atSimMs < 80_000)).to.equal(true);
    });
  }

  it("duplicates, reverses or halves only as many batches as armed, then passes batches through unchanged", () => {
    const chaos = new BatchChaos(seededRandom(1));
    const batch = [message(1), message(2), message(3), message(4)];
    chaos.arm("nudge-duplicate", 1);
    expect(chaos.transform(batch).map((m) => m.offset)).to.deep.equal([1, 1, 2, 2, 3, 3, 4, 4]);
    chaos.arm("nudge-reorder", 1);
    expect(chaos.transform(batch).map((m) => m.offset)).to.deep.equal([4, 3, 2, 1]);
    chaos.arm("nudge-drop", 1);
    expect(chaos.transform(batch)).to.have.length(2);
    expect(chaos.transform(batch)).to.deep.equal(batch);
    expect(chaos.stats).to.deep.equal({ batchesTouched: 3, duplicated: 4, reordered: 4, dropped: 2 });
  });

  it("reads --seed and --events and refuses what is not a count", () => {
    expect(parseChaosArgs(["--seed", "42", "--events", "5"])).to.deep.include({ seeds: [42], events: 5 });
    expect(parseChaosArgs(["--seeds", "11-15"]).seeds).to.deep.equal([11, 12, 13, 14, 15]);
    expect(() => parseChaosArgs(["--seeds", "15-11"])).to.throw(/--seeds must be a range/);
    expect(() => parseChaosArgs(["--events", "-1"])).to.throw(/--events must be an integer/);
    expect(() => parseChaosArgs(["--seed"])).to.throw(/--seed/);
    expect(() => parseChaosArgs(["--frobnicate"])).to.throw(/unknown argument/);
  });
});

describe("chaos runs of the whole local pipeline (fixed seeds)", function () {
  this.timeout(180_000);

  // Small: 3 nodes, every kind of injection once and a fault on every OCI mutation, in 80 simulated seconds at 10×
  // real time. `npm run chaos` runs bigger ones.
  for (const seed of [1, 2, 3]) {
    it(`keeps every property, quiesces and really deletes under seed ${seed}'s faults, churn and deletes`, async () => {
      const report = await runChaos({
        seed,
        events: coveringEvents(),
        nodes: 3,
        timeScale: 0.1,
        windowSimMs: 80_000,
        drainSimMs: 30_000,
        settleSimMs: 900_000,
        log: silentLogger(),
      });
      const summary = renderChaos(report);
      expect(report.injected, summary).to.have.length(coveringEvents());
      expect(report.quiesced, summary).to.equal(true);
      expect(report.inUseViolationsDuringRun, summary).to.deep.equal([]);
      expect(
        report.safety.filter((c) => !c.ok),
        summary,
      ).to.deep.equal([]);
      expect(
        report.safety.map((c) => c.property[0]),
        summary,
      ).to.deep.equal(["1", "2", "3", "4", "5", "6", "7"]);
      expect(report.deletions.releasedThroughHandshake, summary).to.be.greaterThan(0);
      expect(report.deletions.collectorPassesUnderChaos, summary).to.be.at.least(2);
      expect(report.sampler.samples, summary).to.be.at.least(report.sampler.simulatedSeconds * 0.9);
      expect(report.ok, summary).to.equal(true);
    });
  }
});
