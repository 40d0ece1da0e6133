import { build, type BuildOptions } from "esbuild";
import { join, resolve } from "node:path";
import { kubeClientSubsetPlugin } from "../../functions/build/kube-client-subset";
import { nodeFetchUrlShimPlugin } from "../../functions/build/node-fetch-url-shim";
import { projectIdentifiers } from "../../functions/build/project-identifiers";

/**
 * How the watcher is bundled: one CommonJS file with esbuild, like the function (functions/build/bundle-config.ts),
 * with the two plugins of the function's build that apply to the watcher's libraries, both explained in
 * functions/build/README.md: client-node's generated API classes keep only the methods the watcher's sources name
 * (it lists CiliumNodes and reads and updates its Lease), and node-fetch gets Node's URL instead of whatwg-url.
 * Minified with names kept (error names in logs). Less code is less memory: at 5,000 CiliumNodes the watcher's
 * resident memory and its peak both drop (test/bench/README.md, "Watcher with 5,000 CiliumNodes").
 *
 *   npx tsx events/watcher/build.ts [OUTFILE]   (default dist/watcher.cjs)
 *
 * `entry` is events/watcher/main.ts for the image; the benchmark passes its own child, which runs the same
 * startWatcher. The identifiers come from `entry`'s sources.
 */
export function watcherBundleOptions(repoRoot: string, entry: string, outfile: string): BuildOptions {
  let identifiers: Promise<ReadonlySet<string>> | undefined;
  const scan = () => (identifiers ??= projectIdentifiers(repoRoot, entry));
  return {
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, entry)],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    keepNames: true,
    logLevel: "warning",
    plugins: [kubeClientSubsetPlugin({ identifiers: scan }), nodeFetchUrlShimPlugin()],
  };
}

/** The image's entry. */
export const WATCHER_ENTRY = "events/watcher/main.ts";

if (require.main === module) {
  const repoRoot = resolve(__dirname, "..", "..");
  const outfile = resolve(process.argv[2] ?? join(repoRoot, "dist", "watcher.cjs"));
  build(watcherBundleOptions(repoRoot, WATCHER_ENTRY, outfile)).then(
    () => process.stdout.write(`${outfile}\n`),
    (err: unknown) => {
      process.stderr.write(`watcher build: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
