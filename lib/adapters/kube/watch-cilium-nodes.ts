import { makeInformer, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import { silentLogger, type Log } from "../../log";
import type { CiliumNodeView } from "../../ports/kube";
import { CILIUM_NODES, toCiliumNodeView } from "./cilium-node-mapping";
import type { KubeClients } from "./clients";
import { toKubeError } from "./errors";
import { listAllPages } from "./paging";

export interface CiliumNodeEvent {
  type: "added" | "updated" | "deleted";
  node: CiliumNodeView;
}

export interface WatchCiliumNodesOptions {
  /** First delay before restarting after an error; doubles up to maxRestartDelayMs. Default 1 s. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /**
   * Asks the server to end each watch after this long (`timeoutSeconds`), so a silently dead connection is
   * replaced; the informer then re-watches from the last resourceVersion. Default 300 (client-go's reflector
   * uses 5–10 min).
   */
  watchTimeoutSeconds?: number;
  pageSize?: number;
  log?: Log;
}

export interface CiliumNodeWatch {
  /** Resolves once the first full list has been delivered and the watch is open. */
  readonly synced: Promise<void>;
  /** Stops for good: no more events, no restart. */
  stop(): Promise<void>;
}

/**
 * List+watch of every CiliumNode through client-node's informer, with the two measured quirks handled
 * (library-notes §4): the informer stops for good on any error other than 410 Gone, so it is restarted here
 * with exponential backoff (it resumes from its last resourceVersion, or relists if the error came while listing);
 * and `stop()` itself emits an AbortError, which must not trigger a restart. `onEvent` errors are logged, never
 * allowed into the informer (a throw there would be swallowed as a parse error, or escape while listing).
 */
export function watchCiliumNodes(clients: Pick<KubeClients, "kubeConfig" | "customObjects">, onEvent: (event: CiliumNodeEvent) => void, options: WatchCiliumNodesOptions = {}): CiliumNodeWatch {
  const log = options.log ?? silentLogger();
  const initialDelay = options.restartDelayMs ?? 1000;
  const maxDelay = options.maxRestartDelayMs ?? 30_000;
  const timeoutSeconds = options.watchTimeoutSeconds ?? 300;
  const path = `/apis/${CILIUM_NODES.group}/${CILIUM_NODES.version}/${CILIUM_NODES.plural}?timeoutSeconds=${timeoutSeconds}`;

  const listFn = async (): Promise<KubernetesListObject<KubernetesObject>> => {
    const { items, resourceVersion } = await listAllPages<KubernetesObject>(
      (cont, limit) => clients.customObjects.listClusterCustomObject({ ...CILIUM_NODES, limit, _continue: cont }),
      options.pageSize,
    );
    return { apiVersion: "cilium.io/v2", kind: "CiliumNodeList", metadata: { resourceVersion }, items };
  };
  const informer = makeInformer<KubernetesObject>(clients.kubeConfig, path, listFn);

  let stopped = false;
  let errors = 0;
  let delay = initialDelay;
  let timer: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  const deliver = (type: CiliumNodeEvent["type"]) => (obj: KubernetesObject) => {
    if (stopped) return;
    let node: CiliumNodeView;
    try {
      node = toCiliumNodeView(obj);
    } catch (err) {
      log.warn({ err: String(err) }, "skipping malformed CiliumNode from watch");
      return;
    }
    try {
      onEvent({ type, node });
    } catch (err) {
      log.error({ node: node.name, err: err instanceof Error ? err.message : String(err) }, "CiliumNode event handler failed");
    }
  };
  informer.on("add", deliver("added"));
  informer.on("update", deliver("updated"));
  informer.on("delete", deliver("deleted"));

  const run = async () => {
    timer = undefined;
    if (stopped) return;
    const errorsBefore = errors;
    try {
      await informer.start();
    } catch (err) {
      onError(err);
      return;
    }
    if (errors === errorsBefore && !stopped) {
      delay = initialDelay;
      markSynced();
    }
  };

  const onError = (err: unknown) => {
    // stop() aborts the watch request and the informer reports that AbortError: not a failure.
    if (stopped) return;
    errors += 1;
    if (timer) return;
    const wait = delay;
    delay = Math.min(delay * 2, maxDelay);
    log.warn({ err: toKubeError("watch CiliumNodes", err).toJSON(), restartInMs: wait }, "CiliumNode watch failed; restarting");
    timer = setTimeout(() => void run(), wait);
  };
  informer.on("error", onError);

  void run();

  return {
    synced,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await informer.stop();
    },
  };
}
