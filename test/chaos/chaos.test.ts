import { expect } from "chai";
import type { ConnectorMessage } from "../../lib/local/connector";
import { silentLogger } from "../../lib/log";
import { seededRandom } from "../../lib/local/simulation/sim-clock";
import { BatchChaos } from "./batch-chaos";
import { CHAOS_KINDS, planChaos } from "./chaos-plan";
import { renderChaos, runChaos } from "./chaos-run";
import { parseChaosArgs } from "./run-chaos";

const message = (offset: number): ConnectorMessage => ({ stream: "s", partition: "0", key: null, value: `v${offset}`, offset, timestamp: "t" });

describe("chaos plan and batch faults", () => {
  it("plans the same injections for the same seed, in time order, inside the window", () => {
    const a = planChaos(seededRandom(7), { events: 30, windowSimMs: 60_000, nodes: 3 });
    const b = planChaos(seededRandom(7), { events: 30, windowSimMs: 60_000, nodes: 3 });
    expect(a).to.deep.equal(b);
    expect(a.map((p) => p.atSimMs)).to.deep.equal([...a.map((p) => p.atSimMs)].sort((x, y) => x - y));
    expect(a.every((p) => p.atSimMs >= 0 && p.atSimMs < 60_000)).to.equal(true);
    expect(planChaos(seededRandom(8), { events: 30, windowSimMs: 60_000, nodes: 3 })).to.not.deep.equal(a);
  });

  it("draws every kind of injection at least once when there are as many events as kinds", () => {
    const kinds = new Set(planChaos(seededRandom(3), { events: CHAOS_KINDS.length, windowSimMs: 1000, nodes: 2 }).map((p) => p.event.kind));
    expect([...kinds].sort()).to.deep.equal([...CHAOS_KINDS].sort());
  });

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
    expect(parseChaosArgs(["--seed", "42", "--events", "5"])).to.include({ seed: 42, events: 5 });
    expect(() => parseChaosArgs(["--events", "-1"])).to.throw(/--events must be an integer/);
    expect(() => parseChaosArgs(["--seed"])).to.throw(/--seed/);
    expect(() => parseChaosArgs(["--frobnicate"])).to.throw(/unknown argument/);
  });
});

describe("chaos runs of the whole local pipeline (fixed seeds)", function () {
  this.timeout(120_000);

  // Small and fast: 3 nodes, 12 injections in 90 simulated seconds at 20× real time. `npm run chaos` runs bigger ones.
  for (const seed of [1, 2, 3]) {
    it(`keeps every safety property and quiesces under seed ${seed}'s OCI faults, conflicts, nudge chaos and kills`, async () => {
      const report = await runChaos({ seed, events: 12, nodes: 3, timeScale: 0.05, windowSimMs: 90_000, drainSimMs: 60_000, settleSimMs: 900_000, log: silentLogger() });
      const summary = renderChaos(report);
      expect(report.injected, summary).to.have.length(12);
      expect(report.quiesced, summary).to.equal(true);
      expect(report.inUseViolationsDuringRun, summary).to.deep.equal([]);
      expect(report.safety.filter((c) => !c.ok), summary).to.deep.equal([]);
      expect(report.safety.map((c) => c.property[0]), summary).to.deep.equal(["1", "2", "3", "4", "5"]);
      expect(report.ok, summary).to.equal(true);
    });
  }
});
