import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { identifiersIn } from "./trim/class-members";

/**
 * Every identifier in the project sources an entry reaches (node_modules left out), comments excluded: what the
 * subset plugins (oci-core-subset.ts) keep of a library. Found with a quick esbuild pass that treats every package
 * as external, so it reads exactly the project files the real bundle will contain. Type-only mentions count
 * (`Pick<ComputeClient, "getInstance">` keeps getInstance): over-keeping is harmless, missing is not.
 */
export async function projectIdentifiers(repoRoot: string, entry: string): Promise<Set<string>> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    write: false,
    packages: "external",
    platform: "node",
    format: "cjs",
    metafile: true,
    logLevel: "silent",
  });
  const isProjectCode = (p: string) => !p.split("/").includes("node_modules") && /\.[cm]?[jt]s$/.test(p);
  const files = Object.keys(result.metafile.inputs).filter(isProjectCode);
  const words = new Set<string>();
  for (const file of files) for (const w of identifiersIn(await readFile(join(repoRoot, file), "utf8"))) words.add(w);
  return words;
}
