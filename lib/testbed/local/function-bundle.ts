import { build } from "esbuild";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { allocatorBundleOptions } from "../../../functions/build/bundle-config";

let bundled: Promise<string> | undefined;

/**
 * The allocator function as it ships: the esbuild CommonJS bundle (options from functions/build/bundle-config.ts,
 * as `npm run bundle`; only the target follows the Node that runs it), built once per process into a temporary
 * directory. Local runs and end-to-end tests start it as the Fn agent would; it starts in a fraction of the time tsx
 * needs for the source tree.
 */
export function bundledAllocatorFunction(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), "ocipam-bundle-")), "func.cjs");
    await build({
      ...allocatorBundleOptions(resolve(__dirname, "..", "..", ".."), outfile),
      target: `node${process.versions.node.split(".")[0]}`,
      logLevel: "error",
    });
    return outfile;
  })();
  return bundled;
}
