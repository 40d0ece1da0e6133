import type { Plugin } from "esbuild";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { trimClassesJointly } from "./trim/class-members";

/**
 * An esbuild plugin that bundles, of @kubernetes/client-node's generated API classes, the methods the function
 * calls, verbatim. client-node is an ES module, so esbuild already drops the API groups nothing imports, but not
 * the unused methods of a class it keeps: CoreV1Api alone is ~300 operations (367 KB bundled) of which the
 * allocator calls a handful, and each goes through three more classes (ObjectParamAPI → ObservableAPI →
 * RequestFactory + ResponseProcessor).
 *
 * Trimmed together, so that a call chain across the files survives: gen/apis/*Api.js and gen/types/
 * {ObjectParamAPI,ObservableAPI,PromiseAPI}.js. Every class stays (esbuild drops unused ones); of each, its
 * constructor and accessors, and the methods named in the project sources (`wanted`, project-identifiers.ts) or by
 * a kept member. Like oci-core-subset.ts: a method nobody names does not exist in the bundle.
 */
export interface KubeClientSubsetReport {
  keptMethods: number;
  droppedMethods: number;
}

const TARGET = new RegExp(
  String.raw`[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]gen[\\/]` +
    String.raw`(apis[\\/][A-Za-z0-9]+Api\.js|types[\\/](?:ObjectParamAPI|ObservableAPI|PromiseAPI)\.js)$`,
);

export interface KubeClientSubsetOptions {
  /** Called once per build, before anything loads: the identifiers whose methods stay. */
  identifiers(): Promise<ReadonlySet<string>>;
  onReport?(report: KubeClientSubsetReport): void;
}

export function kubeClientSubsetPlugin(options: KubeClientSubsetOptions): Plugin {
  let wanted: ReadonlySet<string> = new Set();
  let subset: Map<string, string> | undefined;
  return {
    name: "kube-client-subset",
    setup(build) {
      build.onStart(async () => {
        subset = undefined;
        wanted = await options.identifiers();
      });
      build.onLoad({ filter: TARGET }, (args) => {
        const m = TARGET.exec(args.path)!;
        if (!subset) {
          const genDir = `${args.path.slice(0, m.index)}/node_modules/@kubernetes/client-node/dist/gen`;
          const computed = computeKubeSubset(genDir, wanted);
          subset = computed.files;
          options.onReport?.(computed.report);
        }
        const contents = subset.get(m[1]!.replace(/\\/g, "/"));
        if (contents === undefined) throw new Error(`kube-client-subset: ${args.path} was not read up front`);
        return { contents, loader: "js" };
      });
    },
  };
}

/** The trimmed texts, keyed by their path under dist/gen. Exported for tests. */
export function computeKubeSubset(
  genDir: string,
  wanted: ReadonlySet<string>,
): { files: Map<string, string>; report: KubeClientSubsetReport } {
  const paths = [
    ...readdirSync(join(genDir, "apis"))
      .filter((f) => /^[A-Za-z0-9]+Api\.js$/.test(f))
      .map((f) => `apis/${f}`),
    ...["ObjectParamAPI", "ObservableAPI", "PromiseAPI"].map((f) => `types/${f}.js`),
  ];
  const texts = paths.map((p) => readFileSync(join(genDir, p), "utf8"));
  const results = trimClassesJointly(texts, wanted, { keepAllClasses: true });
  return {
    files: new Map(paths.map((p, i) => [p, results[i]!.text])),
    report: {
      keptMethods: results.reduce((n, r) => n + r.keptMethods, 0),
      droppedMethods: results.reduce((n, r) => n + r.droppedMethods, 0),
    },
  };
}
