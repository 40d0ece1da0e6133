/**
 * `npm run bench` / `npm run bench:quick`: measures speed, cost and safety-relevant behaviour of the whole local
 * pipeline on the emulators with the realistic latency profile, prints markdown tables and writes the raw results as
 * JSON under bench/results/ (gitignored). See test/bench/README.md for what each number means.
 *
 *   tsx test/bench/run-bench.ts [--quick] [--scales 1,10,100] [--time-scale 1] [--only latency,idle,throttle,cold,watcher]
 *                               [--no-oci-sdk] [--out DIR]
 *
 * No number is asserted anywhere: the tables are the result. Ratios compare runs made by this same invocation.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { silentLogger } from "../../lib/log";
import { type BenchReport, renderBench } from "./bench-report";
import { measureColdStart } from "./cold-start-bench";
import { criticalPath } from "./critical-path";
import { measureIdle } from "./idle-bench";
import { LARGE_WORLD } from "./large-world";
import { measureScale, STRATEGIES } from "./pipeline-bench";
import { measureThrottle, type ThrottleOptions } from "./throttle-bench";
import { measureWatcher } from "./watcher-bench";

export const SECTIONS = ["latency", "large", "idle", "throttle", "cold", "watcher"] as const;
type Section = (typeof SECTIONS)[number];

export interface BenchArgs {
  quick: boolean;
  scales: number[];
  timeScale: number;
  only: Set<Section>;
  ociSdk: boolean;
  outDir: string;
  /** Nodes and time scale of the large section (default 1,000 at 0.5). */
  largeNodes: number;
  largeTimeScale: number;
}

/** Parses the command line; throws an Error naming the bad flag. */
export function parseBenchArgs(argv: readonly string[], repoRoot: string): BenchArgs {
  const args: BenchArgs = {
    quick: false,
    scales: [],
    timeScale: 1,
    only: new Set(SECTIONS),
    ociSdk: true,
    outDir: join(repoRoot, "bench", "results"),
    largeNodes: 1000,
    largeTimeScale: 0.5,
  };
  let scales: number[] | undefined;
  let onlyGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--quick":
        args.quick = true;
        break;
      case "--scales":
        scales = value()
          .split(",")
          .map((t) => {
            const n = Number(t);
            if (!Number.isInteger(n) || n < 1 || n > 500)
              throw new Error(`--scales takes node counts from 1 to 500, got "${t}"`);
            return n;
          });
        break;
      case "--time-scale": {
        const v = value();
        const n = Number(v);
        if (!(n > 0 && n <= 1)) throw new Error(`--time-scale must be in (0, 1], got "${v}"`);
        args.timeScale = n;
        break;
      }
      case "--only": {
        const wanted = value().split(",");
        const unknown = wanted.filter((w) => !(SECTIONS as readonly string[]).includes(w));
        if (unknown.length > 0) throw new Error(`--only takes ${SECTIONS.join(",")}; unknown: ${unknown.join(",")}`);
        args.only = new Set(wanted as Section[]);
        onlyGiven = true;
        break;
      }
      case "--large-nodes": {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 2000) throw new Error(`--large-nodes takes 1 to 2000, got "${v}"`);
        args.largeNodes = n;
        break;
      }
      case "--large-time-scale": {
        const v = value();
        const n = Number(v);
        if (!(n > 0 && n <= 1)) throw new Error(`--large-time-scale must be in (0, 1], got "${v}"`);
        args.largeTimeScale = n;
        break;
      }
      case "--no-oci-sdk":
        args.ociSdk = false;
        break;
      case "--out":
        args.outDir = resolve(value());
        break;
      default:
        throw new Error(`unknown argument ${flag} (see the header of test/bench/run-bench.ts)`);
    }
  }
  args.scales = scales ?? (args.quick ? [1, 10] : [1, 10, 100]);
  // The quick bench leaves the 1,000 nodes out unless asked for with --only.
  if (args.quick && !onlyGiven) args.only.delete("large");
  return args;
}

async function main(): Promise<void> {
  const repoRoot = resolve(__dirname, "..", "..");
  const args = parseBenchArgs(process.argv.slice(2), repoRoot);
  const log = silentLogger();
  const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const started = Date.now();
  const report: BenchReport = {
    mode: args.quick ? "quick" : "full",
    startedAt: new Date(started).toISOString(),
    wallSeconds: 0,
    host: { node: process.version, cpus: cpus().length, loadAverageAtStart: loadavg() },
    timeScale: args.timeScale,
    bounds: {
      join: criticalPath(),
      sequentialJoin: criticalPath({ creates: 8 }),
      joinWithNewVnic: criticalPath({ newVnic: true }),
    },
    latency: [],
    throttle: [],
  };
  // Time against the 15 s agent update interval and the 1 s batch window: a generous per-phase limit (simulated).
  const phaseLimitSimMs = 900_000;

  if (args.only.has("latency")) {
    for (const nodes of args.scales) {
      const row = { nodes } as BenchReport["latency"][number];
      for (const strategy of [STRATEGIES.parallel, STRATEGIES.sequential]) {
        say(`latency: ${nodes} node(s), ${strategy.name}…`);
        row[strategy.name as "parallel" | "sequential"] = await measureScale({
          nodes,
          strategy,
          timeScale: args.timeScale,
          jumpPods: 16,
          log,
          phaseLimitSimMs,
          progress: (l) => say(`  ${l}`),
          // The phase timeline needs the wall clock to be the simulated one.
          timeline: strategy === STRATEGIES.parallel && args.timeScale === 1,
        });
      }
      report.latency.push(row);
    }
  }
  if (args.only.has("large")) {
    const nodes = args.largeNodes;
    say(`large: ${nodes} nodes at once at time scale ${args.largeTimeScale}, parallel…`);
    report.large = await measureScale({
      nodes,
      strategy: STRATEGIES.parallel,
      timeScale: args.largeTimeScale,
      jumpPods: 16,
      log,
      phaseLimitSimMs,
      world: LARGE_WORLD,
      progress: (l) => say(`  ${l}`),
      // In wall-clock ms (the bench's timestamps are), so a scaled run's phases are real time, not simulated.
      timeline: true,
    });
  }
  if (args.only.has("idle")) {
    const nodes = Math.max(...args.scales);
    // Only calls are counted in the window, so it may run faster than real time. Not too fast with many nodes: the
    // function's CPU time counts 1 / timeScale times in simulated time, nodes stay unresolved past the watcher's
    // (scaled) resync and are nudged again and again, and the backlog must drain before the window starts.
    const idleScale = nodes > 20 ? 0.1 : 0.025;
    say(`idle: ${nodes} nodes, 10 simulated minutes at time scale ${idleScale}…`);
    report.idle = await measureIdle({ nodes, timeScale: idleScale, windowSimMs: 600_000, podsPerNode: 16, log });
  }
  if (args.only.has("throttle")) {
    // Two containers as Connector Hub runs them for two partitions: first both with the shipped budget against one
    // limit (throughput), then with the budget Terraform gives each for a tenancy-wide 10/s over 2 partitions
    // (oci_request_rate_total ÷ stream_partitions = 5/s, burst 20 ÷ 2): their calls together stay within 10/s.
    const rows: Array<Omit<ThrottleOptions, "log" | "timeScale">> = [
      { nodes: 10, ratePerSecond: 5, burst: 5 },
      { nodes: 10, ratePerSecond: null, burst: 0 },
      ...(args.quick ? [] : [{ nodes: 10, ratePerSecond: 5, burst: 5, allocatorBudget: { rate: 1000, burst: 200 } }]),
      { nodes: 20, ratePerSecond: 5, burst: 5, containers: 2 },
      { nodes: 20, ratePerSecond: null, burst: 0, containers: 2, allocatorBudget: { rate: 5, burst: 10 } },
    ];
    for (const row of rows) {
      say(
        `throttle: ${row.nodes} nodes, limit ${row.ratePerSecond ?? "none"}/s, ` +
          `${row.containers ?? 1} × budget ${row.allocatorBudget?.rate ?? 10}/s…`,
      );
      // Time scale 1 always: the allocator's request budget and retry backoff run on real time.
      report.throttle.push(await measureThrottle({ ...row, timeScale: 1, log }));
    }
  }
  if (args.only.has("cold")) {
    say("cold start: bundle, require() times, process start, one invocation's memory…");
    report.coldStart = await measureColdStart({
      runs: args.quick ? 3 : 7,
      warmup: args.quick ? 1 : 2,
      starts: args.quick ? 3 : 5,
      withOciSdk: args.ociSdk,
      log: say,
    }).catch((err: unknown) => ({ error: String(err) }));
  }
  if (args.only.has("watcher")) {
    say("watcher: 5,000 CiliumNodes…");
    report.watcher = await measureWatcher({
      nodes: 5000,
      rounds: args.quick ? 2 : 5,
      changesPerRound: 1000,
      seed: 1,
    }).catch((err: unknown) => ({ error: String(err) }));
  }

  report.wallSeconds = (Date.now() - started) / 1000;
  const markdown = renderBench(report);
  await mkdir(args.outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, "-");
  const file = join(args.outDir, `bench-${report.mode}-${stamp}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(file, json);
  await writeFile(join(args.outDir, `latest-${report.mode}.json`), json);
  await writeFile(join(args.outDir, `latest-${report.mode}.md`), `${markdown}\n`);
  process.stdout.write(`${markdown}\n\nJSON: ${file}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
