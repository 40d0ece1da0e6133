import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ALLOCATOR_CONFIG_KEYS } from "../../lib/config/allocator-config";
import { WATCHER_CONFIG_KEYS } from "../../events/watcher/config";

/**
 * What each component does with the Kubernetes API, read from its source: every call of a @kubernetes/client-node
 * API method (and every `Watch.watch`) in the component's files becomes a use {resource, verb, namespace, name}.
 * The method → verb table follows the REST verbs client-node sends (read = GET → get, list = GET of a collection
 * → list, create = POST, replace = PUT → update, patch = PATCH, delete = DELETE; a watch is `watch`), as RBAC
 * names them (kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb).
 * Namespaces and fixed names come from the code's own constants and configuration defaults; where the code does
 * not have the shape this reader expects, it throws, so a change in the code cannot silently drop a use.
 */

export type Component = "ocipam-allocator" | "ocipam-watcher" | "ocipam-node-agent";

export interface KubeUse {
  component: Component;
  /** `file:line` of the call. */
  at: string;
  group: string;
  /** Resource, with `/subresource` where the call targets one. */
  resource: string;
  verb: string;
  /** The namespace of a namespaced call; "*" for an all-namespaces call; undefined for cluster-scoped resources. */
  namespace?: string;
  /** The object's name when the code always uses one fixed name. */
  name?: string;
}

/** Files of each component that talk to the Kubernetes API (their composition roots construct these). */
export const COMPONENT_FILES: Record<Component, string[]> = {
  // functions/allocator/compose.ts: createKubeAdapters (lib/adapters/kube/index.ts), KubeClusterInventory,
  // ConfigMapLeakMarks.
  "ocipam-allocator": [
    "lib/adapters/kube/cilium-nodes.ts",
    "lib/adapters/kube/kube-nodes.ts",
    "lib/adapters/kube/pods.ts",
    "lib/adapters/kube/lease-locks.ts",
    "lib/adapters/kube/ipam-records.ts",
    "lib/adapters/kube/events.ts",
    "lib/adapters/kube/cluster-inventory.ts",
    "lib/adapters/kube/configmap-leak-marks.ts",
  ],
  // events/watcher/watcher.ts: the CiliumNode ListWatch and the leader-election Lease.
  "ocipam-watcher": [
    "events/watcher/watcher.ts",
    "events/watcher/adapters/list-watch.ts",
    "events/watcher/adapters/lease-lock.ts",
  ],
  // lib/node-agent/run.ts: the pool source and Cilium's ConfigMap.
  "ocipam-node-agent": [
    "lib/node-agent/adapters/kube-pool-source.ts",
    "lib/node-agent/adapters/cilium-config-source.ts",
  ],
};

/** Files that call the API but belong to no deployed ServiceAccount, and why. */
export const NOT_DEPLOYED: Record<string, string> = {
  "lib/adapters/kube/status-source.ts": "ocipam status runs with the operator's own kubeconfig",
  "lib/testbed/local/cilium-agent/simulated-agent.ts":
    "the local pipeline's stand-in for Cilium's agent, not a project component",
};

type MethodUse = {
  verb: string;
  kind: "core" | "custom" | "customStatus";
  resource?: string;
  scope: "cluster" | "namespace" | "all";
};

/** client-node API methods → the request they make. */
export const METHODS: Record<string, MethodUse> = {
  readNode: { verb: "get", kind: "core", resource: "nodes", scope: "cluster" },
  listNode: { verb: "list", kind: "core", resource: "nodes", scope: "cluster" },
  listPodForAllNamespaces: { verb: "list", kind: "core", resource: "pods", scope: "all" },
  createNamespacedEvent: { verb: "create", kind: "core", resource: "events", scope: "namespace" },
  readNamespacedConfigMap: { verb: "get", kind: "core", resource: "configmaps", scope: "namespace" },
  createNamespacedConfigMap: { verb: "create", kind: "core", resource: "configmaps", scope: "namespace" },
  replaceNamespacedConfigMap: { verb: "update", kind: "core", resource: "configmaps", scope: "namespace" },
  readNamespacedLease: { verb: "get", kind: "core", resource: "leases", scope: "namespace" },
  listNamespacedLease: { verb: "list", kind: "core", resource: "leases", scope: "namespace" },
  createNamespacedLease: { verb: "create", kind: "core", resource: "leases", scope: "namespace" },
  replaceNamespacedLease: { verb: "update", kind: "core", resource: "leases", scope: "namespace" },
  deleteNamespacedLease: { verb: "delete", kind: "core", resource: "leases", scope: "namespace" },
  getClusterCustomObject: { verb: "get", kind: "custom", scope: "cluster" },
  listClusterCustomObject: { verb: "list", kind: "custom", scope: "cluster" },
  createClusterCustomObject: { verb: "create", kind: "custom", scope: "cluster" },
  patchClusterCustomObject: { verb: "patch", kind: "custom", scope: "cluster" },
  patchClusterCustomObjectStatus: { verb: "patch", kind: "customStatus", scope: "cluster" },
  deleteClusterCustomObject: { verb: "delete", kind: "custom", scope: "cluster" },
};

const GROUPS: Record<string, string> = {
  nodes: "",
  pods: "",
  events: "",
  configmaps: "",
  leases: "coordination.k8s.io",
};

const read = (repo: string, file: string) => readFileSync(join(repo, file), "utf8");

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** Where the CRD constants the components import are defined. */
const CRD_CONSTANT_FILES = ["lib/adapters/kube/cilium-node-mapping.ts", "lib/adapters/kube/ipam-record-mapping.ts"];

/** `{ group: "g", version: "v", plural: "p" }` constants by name, from every scanned file. */
function crdConstants(texts: string[]): Map<string, { group: string; plural: string }> {
  const out = new Map<string, { group: string; plural: string }>();
  for (const t of texts) {
    for (const m of t.matchAll(/const (\w+) = \{ group: "([^"]+)", version: "[^"]+", plural: "([^"]+)" \}/g)) {
      out.set(m[1]!, { group: m[2]!, plural: m[3]! });
    }
  }
  return out;
}

/** The first of `pattern`'s group 1 in `file`, or a thrown error naming what was expected. */
function must(repo: string, file: string, pattern: RegExp, what: string): string {
  const m = pattern.exec(read(repo, file));
  if (!m) throw new Error(`${file}: cannot find ${what} (${pattern}); update test/deploy/rbac-uses.ts`);
  return m[1]!;
}

function configDefault(keys: readonly { key: string; default?: unknown }[], key: string): string {
  const k = keys.find((x) => x.key === key);
  if (!k || typeof k.default !== "string") throw new Error(`no string default for ${key}`);
  return k.default;
}

/** Namespace and fixed name of the namespaced calls in `file` (from the code's constants and defaults). */
function namespaceOf(repo: string, file: string, resource: string): { namespace: string; name?: string } {
  switch (`${file}:${resource}`) {
    case "lib/adapters/kube/lease-locks.ts:leases": {
      // The allocator passes OCIPAM_NAMESPACE (functions/allocator/compose.ts lockNamespace: config.namespace).
      must(
        repo,
        "functions/allocator/compose.ts",
        /(lockNamespace: config\.namespace)/,
        "lockNamespace: config.namespace",
      );
      return { namespace: configDefault(ALLOCATOR_CONFIG_KEYS, "OCIPAM_NAMESPACE") };
    }
    case "lib/adapters/kube/events.ts:events": {
      // createKubeAdapters gives the events adapter no namespace, so the adapter's default applies.
      const call = must(
        repo,
        "lib/adapters/kube/index.ts",
        /new KubeEventsAdapter\(([^)]*)\)/,
        "new KubeEventsAdapter(...)",
      );
      if (call.includes("namespace"))
        throw new Error("createKubeAdapters passes a namespace to KubeEventsAdapter; read it");
      return { namespace: must(repo, file, /options\.namespace \?\? "([^"]+)"/, 'options.namespace ?? "<default>"') };
    }
    case "lib/adapters/kube/configmap-leak-marks.ts:configmaps": {
      must(
        repo,
        "functions/allocator/compose.ts",
        /(new ConfigMapLeakMarks\(\w+\.core, config\.namespace\))/,
        "new ConfigMapLeakMarks(core, config.namespace)",
      );
      return {
        namespace: configDefault(ALLOCATOR_CONFIG_KEYS, "OCIPAM_NAMESPACE"),
        name: must(repo, file, /LEAK_MARKS_CONFIGMAP = "([^"]+)"/, "LEAK_MARKS_CONFIGMAP"),
      };
    }
    case "events/watcher/adapters/lease-lock.ts:leases":
      must(
        repo,
        "events/watcher/watcher.ts",
        /(new KubeLeaseLock\(kube\.coordination, le\.namespace, le\.name\))/,
        "new KubeLeaseLock(..., le.namespace, le.name)",
      );
      return {
        namespace: configDefault(WATCHER_CONFIG_KEYS, "OCIPAM_WATCHER_LEASE_NAMESPACE"),
        name: configDefault(WATCHER_CONFIG_KEYS, "OCIPAM_WATCHER_LEASE_NAME"),
      };
    case "lib/node-agent/adapters/cilium-config-source.ts:configmaps": {
      // The adapter reads the ConfigMap its pure half names (lib/node-agent/cilium-masquerade.ts).
      const m = /CILIUM_CONFIG = \{ namespace: "([^"]+)", name: "([^"]+)" \}/.exec(
        read(repo, "lib/node-agent/cilium-masquerade.ts"),
      );
      if (!m) throw new Error(`lib/node-agent/cilium-masquerade.ts: cannot find CILIUM_CONFIG`);
      return { namespace: m[1]!, name: m[2]! };
    }
  }
  throw new Error(`${file}: no rule for the namespace of its ${resource} calls; add one to test/deploy/rbac-uses.ts`);
}

/** Every use of the Kubernetes API by the deployed components. */
export function kubeUses(repo: string): KubeUse[] {
  const all = Object.values(COMPONENT_FILES).flat();
  const constants = crdConstants([...all, ...CRD_CONSTANT_FILES].map((f) => read(repo, f)));
  const uses: KubeUse[] = [];
  for (const [component, files] of Object.entries(COMPONENT_FILES) as Array<[Component, string[]]>) {
    for (const file of files) {
      const text = read(repo, file);
      for (const m of text.matchAll(/\.(\w+)\(/g)) {
        const method = Object.hasOwn(METHODS, m[1]!) ? METHODS[m[1]!] : undefined;
        if (!method) continue;
        const at = `${file}:${lineOf(text, m.index)}`;
        let group: string;
        let resource: string;
        if (method.kind === "core") {
          resource = method.resource!;
          group = GROUPS[resource]!;
        } else {
          const crd = /\{\s*\.\.\.(\w+)/.exec(text.slice(m.index, m.index + 200));
          const c = crd && constants.get(crd[1]!);
          if (!c) throw new Error(`${at}: ${m[1]} without a { ...CRD } argument this reader knows`);
          group = c.group;
          resource = method.kind === "customStatus" ? `${c.plural}/status` : c.plural;
        }
        const where: { namespace?: string; name?: string } =
          method.scope === "namespace"
            ? namespaceOf(repo, file, resource)
            : method.scope === "all"
              ? { namespace: "*" }
              : {};
        // A fixed name only where every call of the file is about that object (configmap-marks, Cilium's config,
        // the watcher's leader Lease); create cannot be limited by name in RBAC, so it carries none.
        const name = method.verb !== "create" ? where.name : undefined;
        uses.push({
          component,
          at,
          group,
          resource,
          verb: method.verb,
          ...(where.namespace !== undefined ? { namespace: where.namespace } : {}),
          ...(name ? { name } : {}),
        });
      }
      // Watches: `new Watch(kubeConfig).watch(<path>, ...)`; the path names the resource.
      for (const m of text.matchAll(/\.watch\(\s*([^,]+),/g)) {
        const at = `${file}:${lineOf(text, m.index)}`;
        const arg = m[1]!.trim();
        const path = arg === "this.options.path" ? listWatchPath(repo, component) : (pathConstant(text, arg) ?? arg);
        const p = /^\/apis\/([^/]+)\/[^/]+\/(\w+)$/.exec(path);
        if (!p) throw new Error(`${at}: cannot read the watched path ${arg}`);
        uses.push({ component, at, group: p[1]!, resource: p[2]!, verb: "watch" });
      }
    }
  }
  return uses;
}

function pathConstant(text: string, name: string): string | undefined {
  return new RegExp(`const ${name} = "([^"]+)"`).exec(text)?.[1];
}

/** The path a component's ListWatch is built with (events/watcher/watcher.ts `path:`), resolved to a literal. */
function listWatchPath(repo: string, component: Component): string {
  const watcher = read(repo, "events/watcher/watcher.ts");
  const m = /path: `\/apis\/\$\{(\w+)\.group\}\/\$\{\1\.version\}\/\$\{\1\.plural\}`/.exec(watcher);
  if (component !== "ocipam-watcher" || !m)
    throw new Error("cannot resolve the ListWatch path (events/watcher/watcher.ts)");
  const c = crdConstants([...COMPONENT_FILES["ocipam-watcher"], ...CRD_CONSTANT_FILES].map((f) => read(repo, f))).get(
    m[1]!,
  );
  if (!c) throw new Error(`unknown CRD constant ${m[1]}`);
  return `/apis/${c.group}/v/${c.plural}`;
}

/** Files under the component directories that call a client-node API method (for the completeness check). */
export function filesCallingTheApi(repo: string, dirs: string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    for (const e of readdirSync(join(repo, dir), { withFileTypes: true, recursive: true })) {
      if (!e.isFile() || !e.name.endsWith(".ts")) continue;
      const file = relative(repo, join(e.parentPath, e.name));
      const text = read(repo, file);
      if (
        Object.keys(METHODS).some((m) => text.includes(`.${m}(`)) ||
        /new (k8s\.)?Watch\(/.test(text) ||
        text.includes("makeInformer")
      )
        out.push(file);
    }
  }
  return out.sort();
}
