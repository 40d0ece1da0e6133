import type { Metafile } from "esbuild";
import type { OciCoreSubsetReport } from "./oci-core-subset";

/**
 * What the bundle holds, from esbuild's metafile: bytes per package and the largest input files, as `npm run
 * bundle` prints them and writes them next to the bundle (func.cjs.inputs.txt; the metafile itself as
 * func.cjs.meta.json, which esbuild's analyzer at https://esbuild.github.io/analyze/ reads).
 */

export interface InputBytes {
  path: string;
  bytes: number;
}

/** The package an input path belongs to (node_modules/<pkg> or node_modules/@scope/<pkg>), or "project". */
export function packageOf(path: string): string {
  const parts = path.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return "project";
  return parts[at + 1]!.startsWith("@") ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1]!;
}

/** Bundle bytes per package (node_modules/<pkg> or "project"), largest first. */
export function bytesByPackage(meta: Metafile): Array<{ name: string; bytes: number }> {
  const totals = new Map<string, number>();
  for (const input of inputBytes(meta)) {
    const name = packageOf(input.path);
    totals.set(name, (totals.get(name) ?? 0) + input.bytes);
  }
  return [...totals.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Bytes each input file contributes to the output, largest first (ties by path, so the order is stable). */
export function inputBytes(meta: Metafile): InputBytes[] {
  const rows: InputBytes[] = [];
  for (const output of Object.values(meta.outputs)) {
    for (const [path, info] of Object.entries(output.inputs)) rows.push({ path, bytes: info.bytesInOutput });
  }
  return rows.sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0).padStart(6)} KB`;

/** The text report: totals, packages, the `top` largest inputs and what the oci-core subset kept. */
export function renderBundleReport(
  meta: Metafile,
  options: { bundle: string; bytes: number; top: number; subset?: OciCoreSubsetReport },
): string {
  const inputs = inputBytes(meta);
  const lines = [`${options.bundle}: ${options.bytes} bytes from ${inputs.length} inputs`, "", "bytes by package:"];
  for (const p of bytesByPackage(meta)) lines.push(`${kb(p.bytes)}  ${p.name}`);
  lines.push("", `largest ${Math.min(options.top, inputs.length)} inputs:`);
  for (const i of inputs.slice(0, options.top)) lines.push(`${kb(i.bytes)}  ${i.path}`);
  if (options.subset) lines.push("", describeSubset(options.subset));
  return `${lines.join("\n")}\n`;
}

/** One sentence on what oci-core-subset kept. */
export function describeSubset(s: OciCoreSubsetReport): string {
  return (
    `oci-core subset: clients ${s.keptClasses.join(", ")} (dropped ${s.droppedClasses.join(", ") || "none"}); ` +
    `${s.keptMethods} operations kept, ${s.droppedMethods} dropped; models ${s.keptModels} of ${s.totalModels}; ` +
    `requests ${s.keptRequests} of ${s.totalRequests}`
  );
}
