import { type Command, Option } from "commander";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Plan } from "../../core/model";
import { planNode } from "../../core/planner";
import { InvalidInputError } from "../../errors";
import { explainPlan } from "../../plan/explain";
import { planLiveNode } from "../../plan/live-observation";
import { parseObservedState } from "../../plan/read-observed";
import { type AllocatorFlags, allocatorOptions, composeFromFlags } from "../allocator-options";
import { EXIT } from "../exit-codes";
import { globalFlags } from "../global-flags";
import { inputName, readInput } from "../read-input";

/** The observed state shipped with the project, so `ocipam plan` shows something real with no input at hand. */
export const BUNDLED_EXAMPLE = join(__dirname, "..", "..", "plan", "examples", "node-outgrowing-primary-vnic.json");

interface PlanFlags extends AllocatorFlags {
  input: string;
  node?: string;
  saveObservation?: string;
  explain?: boolean;
  json?: boolean;
}

/**
 * `ocipam plan`: what the allocator would do for one node, and why, without doing it. The node is either an observed
 * state from a file (`--input`, `-` for stdin; default the bundled example) or a live node (`--node`, read through
 * the allocator's own composition and configuration keys, read-only). `--save-observation` writes the live node's
 * observation in `--input`'s format, so a bug report carries a case anyone can replay.
 */
export function register(program: Command): void {
  const command = program
    .command("plan")
    .description("print the plan the allocator derives for a node (an observed-state file or a live node), no action")
    .addOption(
      new Option("-i, --input <file>", "observed-state JSON file (format in the README; - for stdin)")
        .default(BUNDLED_EXAMPLE, "the bundled example")
        .conflicts("node"),
    )
    .option("--node <name>", "plan a live node, observed in Kubernetes and OCI as the allocator does (read-only)")
    .option("--save-observation <file>", "with --node: write the observation as a file for --input (a replayable case)")
    .addOption(new Option("--explain", "print every decision and action with its reason, not JSON").conflicts("json"))
    .option("--json", "print the plan as JSON (the default)");
  allocatorOptions(command).action(async (flags: PlanFlags, cmd: Command) => {
    const global = globalFlags(cmd);
    if (flags.saveObservation && !flags.node) {
      throw new InvalidInputError("--save-observation", "needs --node (a file input is already an observation)");
    }
    let plan: Plan;
    if (flags.node) {
      const runtime = await composeFromFlags(flags, global, "ocipam-plan");
      const deadline = new Date(Date.now() + runtime.deps.config.defaultTimeoutSeconds * 1000);
      const live = await planLiveNode(flags.node, runtime.deps, deadline);
      if (live.kind === "refused") {
        const { reason, instanceId } = live;
        const refusal = { node: flags.node, outcome: "refused", reason, ...(instanceId ? { instanceId } : {}) };
        if (flags.explain) process.stdout.write(`node ${flags.node}: refused — ${reason.code}: ${reason.message}\n`);
        else process.stdout.write(`${JSON.stringify(refusal, null, 2)}\n`);
        process.stderr.write(`ocipam: node ${flags.node} would be refused: ${live.reason.code}\n`);
        process.exitCode = EXIT.failed;
        return;
      }
      if (flags.saveObservation) {
        const file = flags.saveObservation;
        const text = `${JSON.stringify(live.observed, null, 2)}\n`;
        await writeFile(file, text);
        // The file must replay: an observation the schema refuses means the schema lags the model (a bug). The file
        // is kept for the report, and the exit code says it is not the replayable case that was asked for.
        const problem = replayProblem(text, file);
        if (problem) {
          process.stderr.write(`ocipam: the saved observation does not validate as --input (a bug): ${problem}\n`);
          process.exitCode = EXIT.failed;
        } else if (!global.quiet) {
          process.stderr.write(`observation of ${flags.node} saved to ${file} (replay: ocipam plan --input ${file})\n`);
        }
      }
      plan = live.plan;
    } else {
      plan = planNode(parseObservedState(await readInput("--input", flags.input), inputName(flags.input)));
    }
    process.stdout.write(flags.explain ? `${explainPlan(plan)}\n` : `${JSON.stringify(plan, null, 2)}\n`);
  });
}

/** Why `ocipam plan --input` would refuse a saved observation, or undefined when it reads it. */
function replayProblem(text: string, file: string): string | undefined {
  try {
    parseObservedState(text, file);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
