import type { Plugin } from "esbuild";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { identifiersIn, trimClasses } from "./trim/class-members";
import { dropUnusedLocalRequires, namespaceEntries, trimNamespaceIndex } from "./trim/namespace-index";

/**
 * An esbuild plugin that bundles the part of `oci-core` the function uses, verbatim, and leaves the rest out.
 * oci-core is CommonJS, so esbuild keeps all of it: 1.6 MB of the 4.1 MB bundle (lib/client.js holds the
 * Blockstorage, Compute, ComputeManagement and VirtualNetwork clients with every operation, lib/model/index.js
 * requires all 2,163 models), and evaluating it is most of the bundle's require() time.
 *
 * What stays is decided by the identifiers of the project sources that go into the bundle (`wanted`, from
 * project-identifiers.ts), so an adapter that starts calling another operation gets it without editing a list:
 * - lib/client.js: the client classes named in the sources; of those, every constructor, accessor and static, and
 *   the operation methods named in the sources or by a kept member (closure); unused relative requires go (waiters);
 * - lib/model/index.js: the models a kept method or a kept model mentions as `model.Name` (closure over the model
 *   files), plus those the sources name;
 * - lib/request/index.js: the requests the sources name (they carry enums such as sort orders);
 * - index.js: exports of dropped clients and waiters go.
 * A method that is not kept does not exist in the bundle: calling it fails with "is not a function", which the
 * end-to-end tests of the bundle would show; naming it anywhere in the sources (a `Pick<>` type is enough) keeps it.
 */
export interface OciCoreSubsetReport {
  keptClasses: string[];
  droppedClasses: string[];
  keptMethods: number;
  droppedMethods: number;
  keptModels: number;
  totalModels: number;
  keptRequests: number;
  totalRequests: number;
}

const TARGET = new RegExp(
  String.raw`[\\/]node_modules[\\/]oci-core[\\/]` +
    String.raw`(index\.js|lib[\\/]client\.js|lib[\\/]model[\\/]index\.js|lib[\\/]request[\\/]index\.js)$`,
);

export interface OciCoreSubsetOptions {
  /** Called once per build, before anything loads: the identifiers whose operations, models and requests stay. */
  identifiers(): Promise<ReadonlySet<string>>;
  /** Called once per build with what was kept. */
  onReport?(report: OciCoreSubsetReport): void;
}

export function ociCoreSubsetPlugin(options: OciCoreSubsetOptions): Plugin {
  let wanted: ReadonlySet<string> = new Set();
  let subset: Map<string, string> | undefined;
  return {
    name: "oci-core-subset",
    setup(build) {
      build.onStart(async () => {
        subset = undefined;
        wanted = await options.identifiers();
      });
      build.onLoad({ filter: TARGET }, (args) => {
        const m = TARGET.exec(args.path)!;
        const root = args.path.slice(0, m.index) + "/node_modules/oci-core";
        if (!subset) {
          const computed = computeSubset(root, wanted);
          subset = computed.files;
          options.onReport?.(computed.report);
        }
        return { contents: subset.get(m[1]!.replace(/\\/g, "/"))!, loader: "js" };
      });
    },
  };
}

/** The trimmed texts of the four files, keyed by their path inside the package. Exported for tests. */
export function computeSubset(
  root: string,
  wanted: ReadonlySet<string>,
): { files: Map<string, string>; report: OciCoreSubsetReport } {
  const read = (p: string) => readFileSync(join(root, p), "utf8");
  const client = trimClasses(read("lib/client.js"), wanted);
  const clientText = dropUnusedLocalRequires(client.text);

  const modelIndex = read("lib/model/index.js");
  const models = namespaceEntries(modelIndex);
  const fileOf = new Map(models.map((e) => [e.name, e.file]));
  const keepModels = new Set<string>();
  const queue = [...modelRefs(clientText), ...[...wanted].filter((w) => fileOf.has(w))];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (keepModels.has(name) || !fileOf.has(name)) continue;
    keepModels.add(name);
    queue.push(...modelRefs(read(join("lib/model", `${fileOf.get(name)!}.js`))));
  }

  const requestIndex = read("lib/request/index.js");
  const requests = namespaceEntries(requestIndex);
  const keepRequests = new Set(requests.map((r) => r.name).filter((n) => wanted.has(n)));

  const kept = new Set([...client.keptClasses, ...wanted]);
  const index = read("index.js")
    .split("\n")
    .filter((line) => {
      const e = /^exports\.([\w$]+) = ([\w$]+)\.([\w$]+);$/.exec(line);
      return !e || kept.has(e[1]!);
    })
    .join("\n");

  const files = new Map([
    ["index.js", dropUnusedLocalRequires(index)],
    ["lib/client.js", clientText],
    ["lib/model/index.js", trimNamespaceIndex(modelIndex, keepModels)],
    ["lib/request/index.js", trimNamespaceIndex(requestIndex, keepRequests)],
  ]);
  return {
    files,
    report: {
      keptClasses: client.keptClasses,
      droppedClasses: client.droppedClasses,
      keptMethods: client.keptMethods,
      droppedMethods: client.droppedMethods,
      keptModels: keepModels.size,
      totalModels: models.length,
      keptRequests: keepRequests.size,
      totalRequests: requests.length,
    },
  };
}

/** Names used as `model.Name` in code (comments left out). */
function modelRefs(code: string): string[] {
  const ids = identifiersIn(code);
  if (!ids.has("model")) return [];
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, " ");
  return [...stripped.matchAll(/\bmodel\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!);
}
