import { build, type Metafile } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * The comparison point for the bundle's load time: the same project sources compiled file by file to CommonJS
 * (no bundling), requiring their dependencies from node_modules — what an image without a bundle would run.
 * The file list is exactly the project files the bundle read (from its metafile), so both load the same code.
 * The tree is written under the repository (dist/unbundled) so that `require("oci-core")` resolves to the
 * repository's node_modules. Returns the path of the compiled entry.
 */
export async function writeUnbundledTree(
  repoRoot: string,
  bundleMeta: Metafile,
  entry: string,
  outDir: string,
): Promise<string> {
  const projectInputs = Object.keys(bundleMeta.inputs).filter((p) => !p.split("/").includes("node_modules"));
  const sources = projectInputs.filter((p) => p.endsWith(".ts"));
  const assets = projectInputs.filter((p) => p.endsWith(".json"));
  await rm(outDir, { recursive: true, force: true });
  await build({
    absWorkingDir: repoRoot,
    entryPoints: sources.map((p) => join(repoRoot, p)),
    outdir: outDir,
    outbase: repoRoot,
    bundle: false,
    platform: "node",
    format: "cjs",
    target: "node22",
    logLevel: "warning",
  });
  // `import schema from "../schemas/x.json"` stays a require() of the JSON file next to the compiled code.
  for (const asset of assets) {
    const to = join(outDir, asset);
    await mkdir(dirname(to), { recursive: true });
    await copyFile(join(repoRoot, asset), to);
  }
  return join(outDir, entry.replace(/\.ts$/, ".js"));
}
