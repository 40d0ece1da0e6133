import type { Command } from "commander";
import { writeFile } from "node:fs/promises";
import { InvalidInputError } from "../../errors";
import { createLogger } from "../../log";
import type { Pipeline } from "../../testbed/local/pipeline";
import { EXIT } from "../exit-codes";
import { globalFlags } from "../global-flags";
import { stopOnSignal } from "../interrupt";
import { scopeTempFiles } from "../temp-scope";
import { checkWritableFile } from "../writable-file";

interface LocalFlags {
  nodes: string;
  shape: string;
  ocpus?: string;
  scenario: string;
  timeScale: string;
  seed: string;
  ipBlockPrefix?: string;
  report?: string;
  progress: boolean;
  json?: boolean;
}

/**
 * `ocipam local`: the whole pipeline on this machine — both emulators, the watcher, the Connector Hub stand-in, the
 * function over its FDK socket and a simulated cluster — runs a scenario, shows progress (stderr), prints a summary
 * or with --json the report (stdout), writes a JSON report file and exits 1 when a safety property fails.
 * Temporary files (the function bundle, sockets, OCI keys) live in one directory removed on exit, Ctrl-C included.
 */
export function register(program: Command): void {
  program
    .command("local")
    .description("run the whole pipeline locally on a simulated cluster and report times, API calls and safety")
    .option("--nodes <n>", "nodes that join", "10")
    .option("--shape <shape>", "instance shape of the nodes", "VM.Standard.E4.Flex")
    .option("--ocpus <n>", "OCPUs of a Flex shape (VNIC slots follow: 1 → 2, else 1 per OCPU)", "2")
    .option("--scenario <name>", "scenario to run (an unknown name is refused with the list of them all)", "scale-up")
    .option("--time-scale <x>", "real seconds per simulated second (0.2: simulated time runs 5× faster)", "0.2")
    .option("--seed <n>", "seed of the scenario's randomness", "1")
    .option(
      "--ip-block-prefix <n>",
      "OCIPAM_IP_BLOCK_PREFIX_LENGTH for the allocator: 32 single addresses, 24..31 IP CIDR blocks",
    )
    .option("--report <file>", "write the JSON report here")
    .option("--no-progress", "do not show live progress (progress goes to stderr)")
    .option("--json", "print the report as JSON on stdout instead of the summary")
    .action(async (flags: LocalFlags, cmd: Command) => {
      const global = globalFlags(cmd);
      // Before anything starts (or loads): a report that cannot be written at the end would throw the whole run away.
      if (flags.report !== undefined) checkWritableFile("--report", flags.report);
      // Loaded here, not at the top: the pipeline pulls in both emulators, the SDKs and esbuild, which other
      // subcommands (and --help) do not need.
      const { SCENARIOS } =
        require("../../testbed/local/simulation/scenarios") as typeof import("../../testbed/local/simulation/scenarios");
      const { ProgressView } = require("../../testbed/local/progress") as typeof import("../../testbed/local/progress");
      const { renderSummary } = require("../../testbed/local/report") as typeof import("../../testbed/local/report");
      const { runLocal } = require("../../testbed/local/run-local") as typeof import("../../testbed/local/run-local");
      const nodes = positiveInt("--nodes", flags.nodes, 200);
      const timeScale = Number(flags.timeScale);
      if (!(timeScale > 0 && timeScale <= 1)) throw new InvalidInputError("--time-scale", "must be a number in (0, 1]");
      if (!SCENARIOS[flags.scenario]) {
        throw new InvalidInputError("--scenario", `must be one of ${Object.keys(SCENARIOS).join(", ")}`);
      }
      scopeTempFiles("ocipam-local-");
      const view = new ProgressView(process.stderr);
      const showProgress = flags.progress && !global.quiet;
      // runLocal owns the pipeline; the progress callback is where the command gets hold of it, so that Ctrl-C can
      // stop what runs (function processes, emulators) before the process exits.
      let pipeline: Pipeline | undefined;
      let started: () => void = () => undefined;
      const pipelineStarted = new Promise<void>((resolve) => (started = resolve));
      const unhandle = stopOnSignal(async () => {
        await Promise.race([pipelineStarted, new Promise((r) => setTimeout(r, 5_000))]);
        await pipeline?.stop();
      });
      try {
        const report = await runLocal({
          scenario: flags.scenario,
          nodes,
          shape: flags.shape,
          ...(flags.ocpus ? { ocpus: positiveInt("--ocpus", flags.ocpus, 128) } : {}),
          timeScale,
          ...(flags.ipBlockPrefix !== undefined
            ? { allocatorConfig: { OCIPAM_IP_BLOCK_PREFIX_LENGTH: blockPrefix(flags.ipBlockPrefix) } }
            : {}),
          seed: positiveInt("--seed", flags.seed, Number.MAX_SAFE_INTEGER),
          log: createLogger({ level: "error", destination: process.stderr, base: { component: "ocipam-local" } }),
          onProgress: (p) => {
            pipeline = p;
            started();
            if (showProgress) view.render(p);
          },
        });
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `\n${renderSummary(report)}\n`);
        if (flags.report) {
          await writeFile(flags.report, `${JSON.stringify(report, null, 2)}\n`);
          if (!global.quiet) process.stderr.write(`report written to ${flags.report}\n`);
        }
        if (!report.ok) process.exitCode = EXIT.failed;
      } finally {
        unhandle();
      }
    });
}

function blockPrefix(text: string): string {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 24 || n > 32) throw new InvalidInputError("--ip-block-prefix", "must be 24 to 32");
  return String(n);
}

function positiveInt(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new InvalidInputError(flag, `must be an integer from 1 to ${max}`);
  }
  return n;
}
