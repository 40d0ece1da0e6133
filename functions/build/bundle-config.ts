import type { BuildOptions } from "esbuild";
import { join } from "node:path";

/**
 * How the allocator function is bundled for its container image. One place, used by `npm run bundle`
 * (functions/build/bundle.ts), by the Dockerfile (through that script) and by the tests, so they cannot drift.
 */

/** The function's entry: calls `fdk.handle(...)` when loaded, like func.js in a plain fn CLI Node function. */
export const ALLOCATOR_ENTRY = "functions/allocator/func.ts";

/** The bundle, relative to the repository root; the Dockerfile copies exactly this file into the run stage. */
export const ALLOCATOR_BUNDLE = "dist/func.cjs";

/** Node major version of the OCI Functions runtime image (fnproject/node:22) the bundle runs on. */
export const RUNTIME_NODE_MAJOR = 22;

/**
 * esbuild options for the bundle:
 * - CommonJS, because an ESM bundle fails at load with `Dynamic require of "stream" is not supported` (the SDKs
 *   call require() at run time; measured, shared/reference/library-notes.md §1);
 * - platform node, target node22 (the Fn Node 22 base image);
 * - minify for size (3.1 MB instead of 7.5 MB; load time is about the same, library-notes §1);
 * - keepNames, because OcipamError sets `this.name = new.target.name` and operators search logs by error name:
 *   plain minification would rename the classes;
 * - metafile, so the build can report which packages the bytes come from and which source files it read.
 * Called by `buildAllocatorBundle` callers with the repository root and where to write the file.
 */
export function allocatorBundleOptions(repoRoot: string, outfile: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, ALLOCATOR_ENTRY)],
    outfile,
    bundle: true,
    platform: "node",
    target: `node${RUNTIME_NODE_MAJOR}`,
    format: "cjs",
    minify: true,
    keepNames: true,
    metafile: true,
    logLevel: "warning",
  };
}
