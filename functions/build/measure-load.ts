import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Measures how long `require()` of a module takes in a fresh Node process: what a cold function start pays before
 * the FDK listens. Each sample is its own process (the module cache would make a second require free), the
 * filesystem cache is warmed by throwaway runs first, and the median is reported.
 *
 * The function entry calls `fdk.handle()` when loaded, which exits the process unless FN_FORMAT=http-stream and
 * FN_LISTENER=unix:<path> are set (node_modules/@fnproject/fdk/fn-fdk.js), so every run gets both, with a
 * socket path in a fresh directory; the child exits right after require() returns, before anything is invoked.
 */

export interface LoadTiming {
  samplesMs: number[];
  medianMs: number;
}

// Runs in the child. Paths arrive in the environment, never interpolated into code.
const CHILD = `
const t0 = process.hrtime.bigint();
require(process.env.MEASURE_MODULE);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({ ms }));
process.exit(0);
`;

/** One fresh process: resolves with the milliseconds require() took, rejects with the child's stderr on failure. */
export async function requireTimeOnce(modulePath: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "ocipam-load-"));
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ["-e", CHILD],
        {
          encoding: "utf8",
          timeout: 60_000,
          env: {
            PATH: process.env.PATH ?? "",
            MEASURE_MODULE: modulePath,
            FN_FORMAT: "http-stream",
            FN_LISTENER: `unix:${join(dir, "lsnr.sock")}`,
            // Quiets Node's warning about require() of the ESM-only @kubernetes/client-node in the unbundled tree.
            NODE_NO_WARNINGS: "1",
          },
        },
        (err, out, stderr) =>
          err ? reject(new Error(`require(${modulePath}) failed: ${stderr || err.message}`)) : resolve(out),
      );
    });
    const parsed = JSON.parse(stdout) as { ms: number };
    return parsed.ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Measures several modules in alternation (a, b, a, b, ...) so that a slow moment of the machine hits both alike.
 * `warmup` throwaway runs per module come first.
 */
export async function measureRequireTimes(modules: readonly string[], runs: number, warmup = 2): Promise<LoadTiming[]> {
  for (let i = 0; i < warmup; i++) for (const m of modules) await requireTimeOnce(m);
  const samples: number[][] = modules.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < modules.length; j++) samples[j]!.push(await requireTimeOnce(modules[j]!));
  }
  return samples.map((s) => ({ samplesMs: s, medianMs: median(s) }));
}
