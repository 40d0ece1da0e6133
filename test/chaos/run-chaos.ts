/**
 * `npm run chaos -- --seed N [--events M] [--nodes K] [--time-scale X] [--window S] [--json FILE]`, or
 * `--seeds A-B` for several seeds one after another: seeded chaos runs of the whole local pipeline
 * (test/chaos/chaos-run.ts). Prints each injection as it happens, then the run's summary (and, for several seeds,
 * one line per seed); exits 1 when a property fails or a run does not quiesce.
 */
import { writeFile } from "node:fs/promises";
import { silentLogger } from "../../lib/log";
import { coveringEvents } from "./chaos-plan";
import { renderChaos, renderChaosTable } from "./chaos-render";
import { runChaos, type ChaosReport } from "./chaos-run";

export interface ChaosArgs {
  seeds: number[];
  events: number;
  nodes: number;
  timeScale: number;
  windowSimMs: number;
  json?: string;
  /** Keep this many of the function's log lines in the JSON report. */
  functionLogs?: number;
}

/** Parses the command line; throws an Error naming the bad flag. */
export function parseChaosArgs(argv: readonly string[]): ChaosArgs {
  const args: ChaosArgs = {
    seeds: [1],
    events: Math.max(24, coveringEvents()),
    nodes: 4,
    timeScale: 0.2,
    windowSimMs: 120_000,
  };
  const int = (flag: string, text: string | undefined, min: number, max: number) => {
    const n = Number(text);
    if (text === undefined || !Number.isInteger(n) || n < min || n > max) {
      throw new Error(`${flag} must be an integer from ${min} to ${max}, got "${text ?? ""}"`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case "--seed":
        args.seeds = [int(flag, argv[++i], 0, 2 ** 32 - 1)];
        break;
      case "--seeds": {
        const text = argv[++i];
        const m = /^(\d+)-(\d+)$/.exec(text ?? "");
        const [from, to] = m ? [int(flag, m[1], 0, 2 ** 32 - 1), int(flag, m[2], 0, 2 ** 32 - 1)] : [NaN, NaN];
        if (!m || to < from || to - from >= 100) {
          throw new Error(`--seeds must be a range A-B of at most 100 seeds, got "${text ?? ""}"`);
        }
        args.seeds = Array.from({ length: to - from + 1 }, (_, k) => from + k);
        break;
      }
      case "--events":
        args.events = int(flag, argv[++i], 0, 10_000);
        break;
      case "--nodes":
        args.nodes = int(flag, argv[++i], 1, 50);
        break;
      case "--window":
        args.windowSimMs = int(flag, argv[++i], 10, 3600) * 1000;
        break;
      case "--time-scale": {
        const text = argv[++i];
        const n = Number(text);
        if (!(n > 0 && n <= 1)) throw new Error(`--time-scale must be in (0, 1], got "${text ?? ""}"`);
        args.timeScale = n;
        break;
      }
      case "--function-logs":
        args.functionLogs = int(flag, argv[++i], 1, 1_000_000);
        break;
      case "--json": {
        const file = argv[++i];
        if (!file) throw new Error("--json needs a file name");
        args.json = file;
        break;
      }
      default:
        throw new Error(
          `unknown argument ${flag} (expected --seed, --seeds, --events, --nodes, --window, ` +
            "--time-scale, --json, --function-logs)",
        );
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseChaosArgs(process.argv.slice(2));
  const reports: ChaosReport[] = [];
  for (const seed of args.seeds) {
    const window = args.windowSimMs / 1000;
    process.stdout.write(`chaos: seed ${seed}, ${args.events} events over ${window} simulated s, ${args.nodes} nodes`);
    process.stdout.write("\n");
    const report = await runChaos({
      seed,
      events: args.events,
      nodes: args.nodes,
      timeScale: args.timeScale,
      windowSimMs: args.windowSimMs,
      drainSimMs: 60_000,
      settleSimMs: 900_000,
      log: silentLogger(),
      onInjected: (line) => process.stdout.write(`  injected ${line}\n`),
      ...(args.functionLogs ? { keepFunctionLogs: args.functionLogs } : {}),
    });
    process.stdout.write(`\n${renderChaos(report)}\n\n`);
    reports.push(report);
  }
  if (reports.length > 1) process.stdout.write(`${renderChaosTable(reports)}\n`);
  if (args.json) {
    await writeFile(args.json, `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
  }
  if (!reports.every((r) => r.ok)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
