import { build } from "esbuild";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { ALLOCATOR_BUNDLE, ALLOCATOR_ENTRY, allocatorBundleOptions } from "./bundle-config";
import { bytesByPackage, describeSubset, inputBytes, renderBundleReport } from "./bundle-report";
import type { KubeClientSubsetReport } from "./kube-client-subset";
import type { OciCoreSubsetReport } from "./oci-core-subset";
import { measureRequireTimes } from "./measure-load";
import { writeUnbundledTree } from "./unbundled-tree";

/**
 * `npm run bundle`: builds dist/func.cjs (the allocator function as one CommonJS file, see bundle-config.ts), prints
 * its size, where the bytes come from (packages and the largest inputs) and what the subset plugins kept, writes
 * the same report to dist/func.cjs.inputs.txt and esbuild's metafile to dist/func.cjs.meta.json, then measures
 * the median require() time of the bundle against the same code unbundled (compiled file by file, dependencies from
 * node_modules), each in fresh Node processes.
 *
 * Flags: `--runs N` (samples per module, default 7), `--no-measure` (build only: what the Dockerfile runs, since
 * timing numbers from an image build are noise).
 */

interface Args {
  runs: number;
  measure: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { runs: 7, measure: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-measure") args.measure = false;
    else if (a === "--runs") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 101)
        throw new Error(`--runs expects an integer from 1 to 101, got ${argv[i]}`);
      args.runs = n;
    } else throw new Error(`unknown argument ${a} (expected --runs N or --no-measure)`);
  }
  return args;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

export { bytesByPackage } from "./bundle-report";

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const repoRoot = resolve(__dirname, "..", "..");
  const outfile = join(repoRoot, ALLOCATOR_BUNDLE);

  const started = Date.now();
  let subset: OciCoreSubsetReport | undefined;
  let kubeSubset: KubeClientSubsetReport | undefined;
  const reports = {
    ociCore: (r: OciCoreSubsetReport) => (subset = r),
    kubeClient: (r: KubeClientSubsetReport) => (kubeSubset = r),
  };
  const result = await build(allocatorBundleOptions(repoRoot, outfile, reports));
  const buildMs = Date.now() - started;
  const bytes = (await stat(outfile)).size;
  const gzipBytes = gzipSync(await readFile(outfile)).length;
  process.stdout.write(
    `${ALLOCATOR_BUNDLE}: ${mb(bytes)} (${kb(gzipBytes)} gzipped), built from ${ALLOCATOR_ENTRY} in ${buildMs} ms\n`,
  );
  const top = bytesByPackage(result.metafile).slice(0, 8);
  process.stdout.write(`  largest packages: ${top.map((p) => `${p.name} ${kb(p.bytes)}`).join(", ")}\n`);
  const files = inputBytes(result.metafile).slice(0, 8);
  const fileList = files.map((f) => `${f.path.replace(/^.*node_modules\//, "")} ${kb(f.bytes)}`).join(", ");
  process.stdout.write(`  largest inputs: ${fileList}\n`);
  if (subset) process.stdout.write(`  ${describeSubset(subset)}\n`);
  if (kubeSubset) {
    const { keptMethods, droppedMethods } = kubeSubset;
    process.stdout.write(`  client-node subset: ${keptMethods} API class methods kept, ${droppedMethods} dropped\n`);
  }
  await writeFile(`${outfile}.meta.json`, JSON.stringify(result.metafile));
  const reportOptions = { bundle: ALLOCATOR_BUNDLE, bytes, top: 40, ...(subset ? { subset } : {}) };
  const report = renderBundleReport(result.metafile, reportOptions);
  await writeFile(`${outfile}.inputs.txt`, report);
  process.stdout.write(`  report: ${ALLOCATOR_BUNDLE}.inputs.txt (top 40 inputs); ${ALLOCATOR_BUNDLE}.meta.json\n`);
  if (!args.measure) return;

  const unbundledEntry = await writeUnbundledTree(
    repoRoot,
    result.metafile,
    ALLOCATOR_ENTRY,
    join(repoRoot, "dist", "unbundled"),
  );
  const [bundled, unbundled] = await measureRequireTimes([outfile, unbundledEntry], args.runs);
  const speedup = unbundled!.medianMs / bundled!.medianMs;
  process.stdout.write(
    `require() time, median of ${args.runs} fresh node ${process.version} processes (after 2 warm-up runs each):\n`,
  );
  process.stdout.write(`  bundle    ${bundled!.medianMs.toFixed(0).padStart(5)} ms  ${ALLOCATOR_BUNDLE}\n`);
  process.stdout.write(
    `  unbundled ${unbundled!.medianMs.toFixed(0).padStart(5)} ms  ` +
      `${unbundledEntry.slice(repoRoot.length + 1)} (same sources compiled ` +
      `per file, dependencies from node_modules)\n`,
  );
  process.stdout.write(`  the bundle loads ${speedup.toFixed(1)}x faster\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
