/**
 * `npm run chaos -- --seed N --events M [--nodes K] [--time-scale X] [--window S] [--json FILE]`: one seeded chaos run of
 * the whole local pipeline (test/chaos/chaos-run.ts). Prints each injection as it happens, then what was injected,
 * what was observed and every safety property; exits 1 when a property fails or the system does not quiesce.
 */
import { writeFile } from "node:fs/promises";
import { silentLogger } from "../../lib/log";
import { renderChaos, runChaos } from "./chaos-run";

export interface ChaosArgs {
  seed: number;
  events: number;
  nodes: number;
  timeScale: number;
  windowSimMs: number;
  json?: string;
}

/** Parses the command line; throws an Error naming the bad flag. */
export function parseChaosArgs(argv: readonly string[]): ChaosArgs {
  const args: ChaosArgs = { seed: 1, events: 20, nodes: 4, timeScale: 0.2, windowSimMs: 120_000 };
  const int = (flag: string, text: string | undefined, min: number, max: number) => {
    const n = Number(text);
    if (text === undefined || !Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be an integer from ${min} to ${max}, got "${text ?? ""}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case "--seed":
        args.seed = int(flag, argv[++i], 0, 2 ** 32 - 1);
        break;
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
      case "--json": {
        const file = argv[++i];
        if (!file) throw new Error("--json needs a file name");
        args.json = file;
        break;
      }
      default:
        throw new Error(`unknown argument ${flag} (expected --seed, --events, --nodes, --window, --time-scale, --json)`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseChaosArgs(process.argv.slice(2));
  process.stdout.write(`chaos: seed ${args.seed}, ${args.events} events over ${args.windowSimMs / 1000} simulated s, ${args.nodes} nodes\n`);
  const report = await runChaos({
    seed: args.seed,
    events: args.events,
    nodes: args.nodes,
    timeScale: args.timeScale,
    windowSimMs: args.windowSimMs,
    drainSimMs: 60_000,
    settleSimMs: 900_000,
    log: silentLogger(),
    onInjected: (line) => process.stdout.write(`  injected ${line}\n`),
  });
  process.stdout.write(`\n${renderChaos(report)}\n`);
  if (args.json) await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
  if (!report.ok) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
