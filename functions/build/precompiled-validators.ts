import type { Plugin } from "esbuild";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/**
 * An esbuild plugin that compiles the event schemas at build time, with ajv's standalone code generation
 * (https://ajv.js.org/standalone.html), instead of at the function's first invocation. events/contracts/
 * validators.ts builds its validators with `new Ajv(options)`, `addFormats(ajv, formats)`, `addSchema(schema)` and
 * `getSchema(id)`; compiling the three contract schemas that way takes about 100 ms of a cold start. In the bundle,
 * that file's `ajv` and `ajv-formats` imports resolve to stand-ins whose `getSchema(id)` returns the validate
 * function ajv generated at build time from the same schema files with the same options — the same code ajv would
 * generate at run time, with the same `errors` — and the ajv compiler itself (about 100 KB) stays out.
 *
 * The stand-ins check what validators.ts asks for: other options, other formats, a schema that was not compiled
 * at build time, or any other ajv method throws, naming this file, so a change there cannot silently run with
 * validators built differently.
 */

/** What validators.ts passes to ajv; the stand-ins refuse anything else. */
export const AJV_OPTIONS = { strict: true, allErrors: false, allowUnionTypes: true } as const;
export const AJV_FORMATS = ["date-time", "uri-reference"] as const;

const VALIDATORS = /[\\/]events[\\/]contracts[\\/]validators\.ts$/;

export function precompiledValidatorsPlugin(repoRoot: string): Plugin {
  return {
    name: "precompiled-validators",
    setup(build) {
      build.onResolve({ filter: /^ajv(-formats)?$/ }, (args) =>
        VALIDATORS.test(args.importer) ? { path: args.path, namespace: "ocipam-precompiled" } : undefined,
      );
      build.onLoad({ filter: /^ajv$/, namespace: "ocipam-precompiled" }, () => ({
        contents: ajvStandIn(repoRoot),
        loader: "js",
        resolveDir: repoRoot,
      }));
      build.onLoad({ filter: /^ajv-formats$/, namespace: "ocipam-precompiled" }, () => ({
        contents: formatsStandIn(),
        loader: "js",
        resolveDir: repoRoot,
      }));
    },
  };
}

/** The schema files validators.ts imports (`import x from "../schemas/NAME.json"`), in order. */
export function importedSchemaFiles(repoRoot: string): string[] {
  const source = readFileSync(join(repoRoot, "events", "contracts", "validators.ts"), "utf8");
  const files = [...source.matchAll(/^import \w+ from "(\.\.\/schemas\/[^"]+\.json)";$/gm)].map((m) => m[1]!);
  return files.map((f) => join(repoRoot, "events", "contracts", f));
}

/** ajv's standalone module for every schema (and sub-schema with an $id) of those files, and the id → export map. */
export function standaloneValidators(repoRoot: string): { code: string; exports: Record<string, string> } {
  const req = createRequire(join(repoRoot, "package.json"));
  const Ajv = (req("ajv") as { default: new (o: object) => AjvLike }).default;
  const addFormats = (req("ajv-formats") as { default: (ajv: AjvLike, formats: readonly string[]) => void }).default;
  const standaloneCode = (
    req("ajv/dist/standalone") as { default: (ajv: AjvLike, refs: Record<string, string>) => string }
  ).default;
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  addFormats(ajv, AJV_FORMATS);
  const ids: string[] = [];
  for (const file of importedSchemaFiles(repoRoot)) {
    const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    ajv.addSchema(schema);
    collectIds(schema, ids);
  }
  const exports = Object.fromEntries(ids.map((id, i) => [id, `v${i}`]));
  const refs = Object.fromEntries(ids.map((id, i) => [`v${i}`, id]));
  return { code: standaloneCode(ajv, refs), exports };
}

interface AjvLike {
  addSchema(schema: object): unknown;
}

/** Every `$id` in a schema document: the root's and those of sub-schemas (`$defs` entries carry their own). */
function collectIds(node: unknown, into: string[]): void {
  if (Array.isArray(node)) for (const n of node) collectIds(n, into);
  else if (node && typeof node === "object") {
    const id = (node as { $id?: unknown }).$id;
    if (typeof id === "string" && !into.includes(id)) into.push(id);
    for (const value of Object.values(node)) collectIds(value, into);
  }
}

function ajvStandIn(repoRoot: string): string {
  const { code, exports } = standaloneValidators(repoRoot);
  const where = "functions/build/precompiled-validators.ts";
  return `
const compiled = (() => { const module = { exports: {} }; const exports = module.exports;
${code}
; return module.exports; })();
const EXPORTS = ${JSON.stringify(exports)};
const OPTIONS = ${JSON.stringify(AJV_OPTIONS)};
const refuse = (what) => {
  throw new Error(what + " is not available in the bundle: the schemas were compiled at build time (${where})");
};
class PrecompiledAjv {
  constructor(options) {
    if (JSON.stringify(options) !== JSON.stringify(OPTIONS)) refuse("new Ajv(" + JSON.stringify(options) + ")");
  }
  addSchema(schema) {
    if (!schema || !(schema.$id in EXPORTS)) refuse("addSchema of a schema compiled without it");
    return this;
  }
  getSchema(id) {
    return id in EXPORTS ? compiled[EXPORTS[id]] : undefined;
  }
  compile() { refuse("ajv.compile"); }
  validate() { refuse("ajv.validate"); }
  addKeyword() { refuse("ajv.addKeyword"); }
  addFormat() { refuse("ajv.addFormat"); }
}
exports.__esModule = true;
exports.default = PrecompiledAjv;
`;
}

function formatsStandIn(): string {
  return `
const FORMATS = ${JSON.stringify(AJV_FORMATS)};
exports.__esModule = true;
exports.default = function addFormats(ajv, formats) {
  if (JSON.stringify(formats) !== JSON.stringify(FORMATS)) {
    const where = "functions/build/precompiled-validators.ts";
    throw new Error("addFormats(" + JSON.stringify(formats) + ") differs from the formats compiled at build time (" + where + ")");
  }
  return ajv;
};
`;
}
