import { expect } from "chai";
import { join } from "node:path";
import { seededRandom } from "../../lib/testbed/local/simulation/seeded-random";
import { type BenchReport, renderBench } from "./bench-report";
import { criticalPath } from "./critical-path";
import { benchCacheDir } from "./oci-sdk-cache";
import { changeOf, PoolTimeline } from "./pool-timeline";
import { parseProcStatus } from "./process-memory";
import { parseBenchArgs } from "./run-bench";
import { ratio, summarize } from "./stats";
import { INITIAL, needsAddresses, nextChange, type NodeCounts } from "./watcher-workload";

describe("benchmark parts", () => {
  describe("critical path", () => {
    it(
      "sums the design's warm path with room on the primary VNIC: put, batch " +
        "window, start, two reads, one create round, one write",
      () => {
        const path = criticalPath();
        expect(path.steps.map((s) => s.ms)).to.deep.equal([30, 1000, 50, 100, 100, 400, 10]);
        expect(path.totalMs).to.equal(1690);
      },
    );

    it(
      "adds the attach for a new VNIC, the cold start, and n creates one " +
        "after another for the sequential baseline",
      () => {
        expect(criticalPath({ newVnic: true }).totalMs).to.equal(1690 + 300 + 8000);
        expect(criticalPath({ cold: true }).totalMs).to.equal(1690 - 50 + 3000);
        expect(criticalPath({ creates: 8 }).totalMs).to.equal(1690 - 400 + 8 * 400);
        expect(criticalPath({ batchWindowMs: 5000 }).totalMs).to.equal(1690 + 4000);
      },
    );
  });

  describe("pool timeline", () => {
    const change = (type: string, name: string, pool: number, used: number) =>
      changeOf(type, {
        metadata: { name },
        spec: { ipam: { pool: Object.fromEntries(Array.from({ length: pool }, (_, i) => [`10.0.0.${i}`, {}])) } },
        status: { ipam: { used: Object.fromEntries(Array.from({ length: used }, (_, i) => [`10.0.0.${i}`, {}])) } },
      })!;

    it("opens an episode at creation and closes it at the first version back at the watermark", () => {
      const t = new PoolTimeline();
      t.record(change("ADDED", "a", 0, 0), 1000);
      t.record(change("MODIFIED", "a", 4, 0), 1500);
      t.record(change("MODIFIED", "a", 8, 0), 2700);
      expect(t.durations("created")).to.deep.equal([1.7]);
      expect(t.firstEpisodes().map((e) => e.node)).to.deep.equal(["a"]);
      expect(t.openNodes()).to.deep.equal([]);
    });

    it("attributes a deficit opened by a change of used to usage, and keeps one open until it closes", () => {
      const t = new PoolTimeline();
      t.record(change("ADDED", "a", 10, 2), 0);
      t.record(change("MODIFIED", "a", 10, 10), 5000);
      expect(t.openNodes()).to.deep.equal(["a"]);
      t.record(change("MODIFIED", "a", 18, 10), 7500);
      expect(t.durations("usage")).to.deep.equal([2.5]);
      expect(t.durations("usage", 6000)).to.deep.equal([]);
    });

    it("reads a node's pre-allocate and ignores objects without a name", () => {
      const t = new PoolTimeline();
      const small = changeOf("ADDED", {
        metadata: { name: "b" },
        spec: { ipam: { "pre-allocate": 2, pool: { "10.0.0.1": {}, "10.0.0.2": {} } } },
      })!;
      t.record(small, 0);
      expect(t.episodes).to.deep.equal([]);
      expect(changeOf("ADDED", { spec: {} })).to.equal(undefined);
    });
  });

  describe("watcher workload", () => {
    it("is the same for the same seed, keeps used within the pool and refills only nodes that are short", () => {
      const run = () => {
        const nodes: NodeCounts[] = Array.from({ length: 50 }, () => ({ ...INITIAL }));
        const random = seededRandom(9);
        return Array.from({ length: 500 }, () => {
          const before = { ...nodes.map((n) => ({ ...n })) };
          const c = nextChange(nodes, random);
          const n = nodes[c.node]!;
          expect(n.used).to.be.within(0, n.pool);
          if (c.kind === "pool") expect(needsAddresses(before[c.node]!)).to.equal(true);
          return c;
        });
      };
      expect(run()).to.deep.equal(run());
    });
  });

  describe("command line", () => {
    it("measures 1, 10 and 100 nodes, or 1 and 10 with --quick, and refuses bad flags", () => {
      expect(parseBenchArgs([], "/repo").scales).to.deep.equal([1, 10, 100]);
      expect(parseBenchArgs(["--quick"], "/repo")).to.include({
        quick: true,
        timeScale: 1,
        outDir: join("/repo", "bench", "results"),
      });
      expect(parseBenchArgs(["--quick"], "/repo").scales).to.deep.equal([1, 10]);
      expect(parseBenchArgs(["--scales", "5,20", "--only", "latency,cold"], "/repo")).to.deep.include({
        scales: [5, 20],
        only: new Set(["latency", "cold"]),
      });
      expect(() => parseBenchArgs(["--scales", "0"], "/repo")).to.throw(/--scales/);
      expect(() => parseBenchArgs(["--time-scale", "2"], "/repo")).to.throw(/--time-scale/);
      expect(() => parseBenchArgs(["--only", "speed"], "/repo")).to.throw(/unknown: speed/);
    });

    it("installs oci-sdk under $OCIPAM_BENCH_CACHE, else the XDG cache, else ~/.cache", () => {
      expect(benchCacheDir({ OCIPAM_BENCH_CACHE: "/c" })).to.equal("/c");
      expect(benchCacheDir({ XDG_CACHE_HOME: "/x" })).to.equal(join("/x", "cilium-oci-ipam"));
      expect(benchCacheDir({})).to.match(/\.cache[/\\]cilium-oci-ipam$/);
    });
  });

  describe("numbers and tables", () => {
    it("summarizes by nearest rank and divides only defined numbers", () => {
      expect(summarize([3, 1, 2, 10])).to.deep.equal({ n: 4, p50: 2, p95: 10, max: 10 });
      expect(summarize([])).to.deep.equal({ n: 0, p50: null, p95: null, max: null });
      expect(ratio(3, 2)).to.equal(1.5);
      expect(ratio(3, 0)).to.equal(null);
      expect(ratio(null, 2)).to.equal(null);
    });

    it("reads VmRSS and VmHWM from /proc/<pid>/status", () => {
      expect(parseProcStatus("Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n")).to.deep.equal({
        rssMiB: 100,
        peakMiB: 200,
      });
      expect(parseProcStatus("Name:\tnode\n")).to.equal(undefined);
    });

    it("renders each section with the bound, both strategies and their ratios, and says what was not measured", () => {
      const run = (strategy: string, join: number[], jump: number[]) => ({
        nodes: 2,
        strategy,
        timeScale: 1,
        joinToReadyS: join,
        jumpToRefilledS: jump,
        complete: true,
        ociCalls: {},
        ociCallsTotal: 40,
        ipsCreated: 20,
        callsPerIp: 2,
        invocations: 3,
        nudgesPublished: 4,
        nodesWithNewVnic: 0,
        wallSeconds: { join: 1, jump: 1 },
        throttled: 0,
        failedInvocations: 0,
        cpuMs: { benchProcess: 10, functionProcess: 5 },
      });
      const report: BenchReport = {
        mode: "quick",
        startedAt: "2026-11-28T00:00:00.000Z",
        wallSeconds: 60,
        host: { node: "v20", cpus: 2, loadAverageAtStart: [1, 1, 1] },
        timeScale: 1,
        bounds: { join: criticalPath(), sequentialJoin: criticalPath({ creates: 8 }) },
        latency: [
          { nodes: 2, parallel: run("parallel", [3.38, 4], [2, 2]), sequential: run("sequential", [6.76, 8], [6, 6]) },
        ],
        idle: {
          nodes: 2,
          windowSimMinutes: 10,
          settled: true,
          ociCallsPerMinute: 0,
          ociCallsByOperation: {},
          nudgesPerMinute: 0,
          invocationsPerMinute: 0,
          leakCollectionPeriodS: 300,
          pollerCallsPerPass: 8,
          pollerCallsByOperation: {},
        },
        throttle: [
          {
            nodes: 2,
            ratePerSecond: 5,
            burst: 5,
            allocatorRate: "10",
            allocatorBurst: "20",
            ipsCreated: 16,
            windowS: 4,
            ipsPerSecond: 4,
            ofLimit: 0.8,
            throttled: 2,
            throttledPerIp: 0.125,
            complete: true,
            containers: 1,
            peakCallsPerSecond: 9.5,
            meanCallsPerSecond: 7.25,
          },
        ],
        coldStart: { error: "boom" },
      };
      const text = renderBench(report);
      expect(text).to.contain(
        "| 2 | join → pool ready | 1.69 | 3.38 / 4.00 / 4.00 | 6.76 / 8.00 / 8.00 | 2.00× | 2.00× | 0 / 0 | yes |",
      );
      expect(text).to.contain("∞ (ours is 0)");
      expect(text).to.contain(
        "| 5/s (burst 5) | 1 × 10/s (burst 20) | 2 | 16 | 4.0 | 4.00 | 0.80× | 2 | 0.13 | 9.5 / 7.3 | yes |",
      );
      expect(text).to.contain("**not measured**: boom");
      expect(text).to.match(/### Watcher\n\n\(not measured\)/);
    });
  });
});
