import type { CoreV1Api, V1Node } from "@kubernetes/client-node";
import { instanceIdFromProviderId } from "../../core/provider-id";
import type { KubeNodeInfo, KubeNodes } from "../../ports/kube";
import { isNotFound, toKubeError } from "./errors";
import { listAllPages } from "./paging";

export { instanceIdFromProviderId };

export function toKubeNodeInfo(node: V1Node): KubeNodeInfo {
  const info: KubeNodeInfo = {
    name: node.metadata?.name ?? "",
    uid: node.metadata?.uid ?? "",
    labels: { ...(node.metadata?.labels ?? {}) },
  };
  if (node.spec?.providerID) info.providerId = node.spec.providerID;
  return info;
}

/** KubeNodes over CoreV1 nodes (read and list only). */
export class KubeNodesAdapter implements KubeNodes {
  constructor(
    private readonly api: CoreV1Api,
    private readonly options: { pageSize?: number } = {},
  ) {}

  async get(name: string): Promise<KubeNodeInfo | undefined> {
    try {
      return toKubeNodeInfo(await this.api.readNode({ name }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toKubeError(`get Node ${name}`, err);
    }
  }

  /**
   * Lists the Nodes (paged) and returns the one whose providerID names `instanceId` in either form. There is no
   * field selector for spec.providerID, so this is a full list: it is called for instance events only.
   */
  async findByInstanceId(instanceId: string): Promise<KubeNodeInfo | undefined> {
    return (await this.listByInstanceId(instanceId))[0];
  }

  async list(): Promise<KubeNodeInfo[]> {
    try {
      const { items } = await listAllPages<V1Node>(
        (cont, limit) => this.api.listNode({ limit, _continue: cont }),
        this.options.pageSize,
      );
      return items.map(toKubeNodeInfo);
    } catch (err) {
      throw toKubeError("list Nodes", err);
    }
  }

  /** A full paged list: no field selector exists for spec.providerID. */
  async listByInstanceId(instanceId: string): Promise<KubeNodeInfo[]> {
    let nodes: V1Node[];
    try {
      ({ items: nodes } = await listAllPages<V1Node>(
        (cont, limit) => this.api.listNode({ limit, _continue: cont }),
        this.options.pageSize,
      ));
    } catch (err) {
      throw toKubeError("list Nodes", err);
    }
    return nodes.filter((n) => instanceIdFromProviderId(n.spec?.providerID) === instanceId).map(toKubeNodeInfo);
  }
}
