import * as k8s from "@kubernetes/client-node";
import type { AllocationIp } from "../../core/model";
import type { Log } from "../../log";
import type { NodeIpamSnapshot } from "../model";
import { sameIpam, type PoolSource } from "../pool-source";

const CILIUM_NODES = { group: "cilium.io", version: "v2", plural: "ciliumnodes" } as const;
export const CILIUM_NODES_PATH = "/apis/cilium.io/v2/ciliumnodes";

export interface KubePoolSourceOptions {
  kubeConfig: k8s.KubeConfig;
  nodeName: string;
  log: Log;
  /** First delay before re-listing after a failure; doubles up to maxRetryDelayMs (defaults 1 s and 30 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Server-side watch timeout (`timeoutSeconds`, default 300): the watch ends and is renewed by a fresh list. */
  watchTimeoutSeconds?: number;
  /** Timeout of the list request (default 15 s); client-node sets none by default. */
  requestTimeoutMs?: number;
}

/**
 * PoolSource over the Kubernetes API: lists `ciliumnodes` with `fieldSelector=metadata.name=<node>` (one object at
 * most), then watches from the list's resourceVersion with the same selector. Any end of the watch (server timeout,
 * 410 Gone, network error) leads to a fresh list after a delay, so a missed event cannot leave a stale pool for
 * longer than one watch period. Needs only `get, list, watch` on `ciliumnodes.cilium.io`.
 */
export class KubeCiliumNodePoolSource implements PoolSource {
  private snapshot: NodeIpamSnapshot | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly api: k8s.CustomObjectsApi;
  private readonly fieldSelector: string;
  private stopped = false;
  private controller: AbortController | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: KubePoolSourceOptions) {
    this.api = options.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    this.fieldSelector = `metadata.name=${options.nodeName}`;
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.loop = this.run();
  }

  current(): NodeIpamSnapshot | undefined {
    return this.snapshot;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const base = this.options.retryDelayMs ?? 1_000;
    let delay = base;
    while (!this.stopped) {
      const healthy = await this.listAndWatch().catch((err: unknown) => {
        this.options.log.warn({ err }, "CiliumNode list/watch failed; retrying");
        return false;
      });
      delay = healthy ? base : Math.min(delay * 2, this.options.maxRetryDelayMs ?? 30_000);
      if (!this.stopped) await this.sleep(healthy ? base : delay);
    }
  }

  /** One list + watch cycle. Resolves true when the watch ran and ended normally, false when it failed. */
  private async listAndWatch(): Promise<boolean> {
    const list = await this.api.listClusterCustomObject(
      { ...CILIUM_NODES, fieldSelector: this.fieldSelector },
      timeoutOptions(this.options.requestTimeoutMs ?? 15_000),
    );
    const items = Array.isArray(list?.items) ? (list.items as unknown[]) : [];
    const mine = items.find((o) => (o as { metadata?: { name?: string } })?.metadata?.name === this.options.nodeName);
    this.publish(mine === undefined ? absent() : snapshotOf(mine));
    if (this.stopped) return true;

    return new Promise<boolean>((resolve) => {
      let settled = false;
      const finish = (ok: boolean) => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      new k8s.Watch(this.options.kubeConfig)
        .watch(
          CILIUM_NODES_PATH,
          {
            fieldSelector: this.fieldSelector,
            resourceVersion: String(list?.metadata?.resourceVersion ?? ""),
            allowWatchBookmarks: true,
            timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
          },
          (type, obj) => {
            // The selector already limits the watch to this node; the name check guards against a server ignoring it.
            const name = (obj as { metadata?: { name?: string } } | undefined)?.metadata?.name;
            if (type !== "ERROR" && type !== "BOOKMARK" && name !== this.options.nodeName) return;
            if (type === "ADDED" || type === "MODIFIED") this.publish(snapshotOf(obj));
            else if (type === "DELETED") this.publish(absent());
            else if (type === "ERROR") {
              // A Status object, e.g. 410 Gone: the resourceVersion is too old; a fresh list fixes it.
              this.options.log.info({ status: obj?.code }, "CiliumNode watch error event; re-listing");
              this.controller?.abort();
            }
          },
          (err) => {
            const aborted = err instanceof Error && err.name === "AbortError";
            if (err && !aborted && !this.stopped)
              this.options.log.warn({ err }, "CiliumNode watch ended with an error");
            finish(!err || aborted);
          },
        )
        .then(
          (controller) => {
            this.controller = controller;
            if (this.stopped) controller.abort();
          },
          () => finish(false),
        );
    });
  }

  private publish(next: NodeIpamSnapshot): void {
    const changed = !sameIpam(this.snapshot, next);
    this.snapshot = next;
    if (!changed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (err) {
        this.options.log.error({ err }, "pool change listener threw");
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function absent(): NodeIpamSnapshot {
  return { exists: false, pool: {}, used: {} };
}

/** Reads the two maps the agent needs from a CiliumNode object; anything malformed counts as empty. */
export function snapshotOf(obj: unknown): NodeIpamSnapshot {
  const o = (obj ?? {}) as {
    metadata?: { resourceVersion?: string };
    spec?: { ipam?: { pool?: unknown } };
    status?: { ipam?: { used?: unknown } };
  };
  return {
    exists: true,
    pool: allocationMap(o.spec?.ipam?.pool),
    used: allocationMap(o.status?.ipam?.used),
    ...(o.metadata?.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}),
  };
}

function allocationMap(value: unknown): Record<string, AllocationIp> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  const out: Record<string, AllocationIp> = {};
  for (const [ip, entry] of Object.entries(value as Record<string, unknown>)) {
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    out[ip] = {
      ...(typeof e.owner === "string" && e.owner ? { owner: e.owner } : {}),
      ...(typeof e.resource === "string" && e.resource ? { resource: e.resource } : {}),
    };
  }
  return out;
}

/** Per-request timeout for client-node calls (it sets none by default); the Observable middleware form is required. */
function timeoutOptions(ms: number): k8s.ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx: k8s.RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(ms));
          return new k8s.Observable(Promise.resolve(ctx));
        },
        post: (response: k8s.ResponseContext) => new k8s.Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: "append",
  } as k8s.ConfigurationOptions;
}
