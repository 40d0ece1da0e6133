import type { BuildOptions } from "esbuild";
import { join } from "node:path";
import { kubeClientSubsetPlugin, type KubeClientSubsetReport } from "./kube-client-subset";
import { nodeFetchUrlShimPlugin } from "./node-fetch-url-shim";
import { ociCoreSubsetPlugin, type OciCoreSubsetReport } from "./oci-core-subset";
import { pinoWithoutTransportsPlugin } from "./pino-without-transports";
import { precompiledValidatorsPlugin } from "./precompiled-validators";
import { projectIdentifiers } from "./project-identifiers";

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
 *   call require() at run time; measured with esbuild 0.28 on Node 20);
 * - platform node, target node22 (the Fn Node 22 base image);
 * - minify for size (3.1 MB instead of 7.5 MB; load time is about the same, measured);
 * - keepNames, because OcipamError sets `this.name = new.target.name` and operators search logs by error name:
 *   plain minification would rename the classes;
 * - metafile, so the build can report which packages the bytes come from and which source files it read;
 * - plugins that leave out code the function never runs (each file says why it is safe; functions/build/README.md):
 *   oci-core-subset.ts keeps only the oci-core clients, operations, models and requests the project sources name
 *   (1.6 MB → 80 KB), kube-client-subset.ts only the methods of client-node's generated API classes they name
 *   (~600 KB less), node-fetch-url-shim.ts gives node-fetch Node's URL instead of whatwg-url (290 KB),
 *   pino-without-transports.ts leaves out thread-stream (the function configures no transport);
 * - precompiled-validators.ts: the event schemas compiled by ajv at build time, not at the first invocation.
 * Called by `npm run bundle`, the cold-start benchmark, `ocipam local` and the tests, with the repository root and
 * where to write the file; `reports` hears what the subset plugins kept.
 */
export function allocatorBundleOptions(
  repoRoot: string,
  outfile: string,
  reports: SubsetReports = {},
): BuildOptions & { metafile: true } {
  // One scan of the project sources, shared by both subset plugins: these options are made for one build.
  let identifiers: Promise<ReadonlySet<string>> | undefined;
  const scan = () => (identifiers ??= projectIdentifiers(repoRoot, ALLOCATOR_ENTRY));
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
    plugins: [
      ociCoreSubsetPlugin({ identifiers: scan, ...(reports.ociCore ? { onReport: reports.ociCore } : {}) }),
      kubeClientSubsetPlugin({ identifiers: scan, ...(reports.kubeClient ? { onReport: reports.kubeClient } : {}) }),
      nodeFetchUrlShimPlugin(),
      precompiledValidatorsPlugin(repoRoot),
      pinoWithoutTransportsPlugin(),
    ],
  };
}

/** Listeners for what the subset plugins kept, called once per build. */
export interface SubsetReports {
  ociCore?: (report: OciCoreSubsetReport) => void;
  kubeClient?: (report: KubeClientSubsetReport) => void;
}
