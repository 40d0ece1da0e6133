import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { planNode } from "../../core/planner";
import { explainPlan } from "../../plan/explain";
import { parseObservedState } from "../../plan/read-observed";

/** The observed state shipped with the project, so `ocipam plan` shows something real with no input at hand. */
export const BUNDLED_EXAMPLE = join(__dirname, "..", "..", "plan", "examples", "node-outgrowing-primary-vnic.json");

/** `ocipam plan --input <observed.json> [--explain]`: what the allocator would do for one observed node, and why. */
export function register(program: Command): void {
  program
    .command("plan")
    .description("print the plan the allocator derives from an observed node state (JSON; --explain for a readable account)")
    .option("-i, --input <file>", "observed-state JSON file (format in the README); default: the bundled example", BUNDLED_EXAMPLE)
    .option("--explain", "print every decision and action with its reason instead of JSON")
    .action(async (options: { input: string; explain?: boolean }) => {
      const text = await readFile(options.input, "utf8").catch((cause: NodeJS.ErrnoException) => {
        throw new Error(`cannot read --input ${options.input}: ${cause.code ?? cause.message}`, { cause });
      });
      const plan = planNode(parseObservedState(text, options.input));
      process.stdout.write(options.explain ? `${explainPlan(plan)}\n` : `${JSON.stringify(plan, null, 2)}\n`);
    });
}
