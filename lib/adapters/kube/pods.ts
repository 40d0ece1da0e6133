import type { CoreV1Api, V1Pod } from "@kubernetes/client-node";
import type { Pods } from "../../ports/kube";
import { toKubeError } from "./errors";
import { listAllPages } from "./paging";

/**
 * The field selector for pods bound to `nodeName` and still Pending. Both fields are supported pod field
 * selectors (kubernetes pkg/registry/core/pod/strategy.go ToSelectableFields: spec.nodeName, status.phase).
 */
export function pendingPodsSelector(nodeName: string): string {
  return `spec.nodeName=${nodeName},status.phase=Pending`;
}

/**
 * Pods over CoreV1, across namespaces. Counts as Cilium's operator does (pkg/ipam/node.go getPendingPodCount:
 * every pod indexed to the node whose phase is Pending, nothing else filtered).
 */
export class PodsAdapter implements Pods {
  constructor(
    private readonly api: CoreV1Api,
    private readonly options: { pageSize?: number } = {},
  ) {}

  async countPending(nodeName: string): Promise<number> {
    const fieldSelector = pendingPodsSelector(nodeName);
    try {
      const { items } = await listAllPages<V1Pod>(
        (cont, limit) => this.api.listPodForAllNamespaces({ fieldSelector, limit, _continue: cont }),
        this.options.pageSize,
      );
      return items.length;
    } catch (err) {
      throw toKubeError(`list Pending pods on ${nodeName}`, err);
    }
  }
}
