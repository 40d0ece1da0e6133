import type { CoreV1Api, CustomObjectsApi, V1Node } from "@kubernetes/client-node";
import { IPAM_RECORDS } from "./ipam-record-mapping";
import { toKubeError } from "./errors";
import { listAllPages } from "./paging";
import { instanceIdFromProviderId } from "../../core/provider-id";
import type { ClusterInventory, NodeEntry, RecordEntry } from "../../collect/ports";

/**
 * ClusterInventory over the Kubernetes API: a paged list of Nodes (RBAC: nodes list, which the allocator already has)
 * and of the project's cluster-scoped OciIpamNode records (ociipamnodes list).
 */
export class KubeClusterInventory implements ClusterInventory {
  constructor(
    private readonly core: CoreV1Api,
    private readonly customObjects: CustomObjectsApi,
    private readonly options: { pageSize?: number } = {},
  ) {}

  async listNodes(): Promise<NodeEntry[]> {
    try {
      const { items } = await listAllPages<V1Node>(
        (cont, limit) => this.core.listNode({ limit, _continue: cont }),
        this.options.pageSize,
      );
      return items.map((n) => {
        const instanceId = instanceIdFromProviderId(n.spec?.providerID);
        return { name: n.metadata?.name ?? "", ...(instanceId ? { instanceId } : {}) };
      });
    } catch (err) {
      throw toKubeError("list Nodes", err);
    }
  }

  async listRecords(): Promise<RecordEntry[]> {
    try {
      const { items } = await listAllPages<{ metadata?: { name?: string }; spec?: { instanceId?: unknown } }>(
        (cont, limit) => this.customObjects.listClusterCustomObject({ ...IPAM_RECORDS, limit, _continue: cont }),
        this.options.pageSize,
      );
      return items
        .map((o) => ({
          name: o.metadata?.name ?? "",
          instanceId: typeof o.spec?.instanceId === "string" ? o.spec.instanceId : "",
        }))
        .filter((r) => r.name !== "");
    } catch (err) {
      throw toKubeError("list OciIpamNodes", err);
    }
  }
}
