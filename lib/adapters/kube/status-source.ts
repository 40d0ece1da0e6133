import type { KubernetesObject, V1Node } from "@kubernetes/client-node";
import type { CiliumNodeView, IpamRecordStatus, KubeNodeInfo } from "../../ports/kube";
import { CiliumNodesAdapter } from "./cilium-nodes";
import type { KubeClients } from "./clients";
import { toKubeError } from "./errors";
import { IPAM_RECORDS, toIpamRecord } from "./ipam-record-mapping";
import { toKubeNodeInfo } from "./kube-nodes";
import { listAllPages } from "./paging";

/** What `ocipam status` joins, in the project's types. */
export interface StatusInputs {
  ciliumNodes: CiliumNodeView[];
  nodes: KubeNodeInfo[];
  /** OciIpamNode status by node name (undefined: a record without status yet). */
  records: Map<string, IpamRecordStatus | undefined>;
}

/**
 * Called once by `ocipam status`: every CiliumNode, Node and OciIpamNode record of the cluster (each a paged list),
 * read with the operator's own kubeconfig. Read-only: needs get/list on those three kinds.
 */
export async function readStatusInputs(clients: Pick<KubeClients, "core" | "customObjects">): Promise<StatusInputs> {
  try {
    const [ciliumNodes, nodes, records] = await Promise.all([
      new CiliumNodesAdapter(clients.customObjects).list(),
      listAllPages<V1Node>((cont, limit) => clients.core.listNode({ limit, _continue: cont }) as never),
      listAllPages<KubernetesObject>(
        (cont, limit) =>
          clients.customObjects.listClusterCustomObject({ ...IPAM_RECORDS, limit, _continue: cont }) as never,
      ),
    ]);
    return {
      ciliumNodes,
      nodes: nodes.items.map(toKubeNodeInfo),
      records: new Map(
        records.items.map((o) => {
          const record = toIpamRecord(o);
          return [record.name, record.status] as const;
        }),
      ),
    };
  } catch (err) {
    throw toKubeError("read the cluster's IPAM status", err);
  }
}
