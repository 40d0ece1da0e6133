import { instanceIdFromProviderId } from "../core/provider-id";
import type { KubeNodeInfo, KubeNodes } from "../ports/kube";
import { FreshIndex } from "./fresh-index";

/** How long one list of every Node answers for, within one invocation. */
export const NODE_DIRECTORY_MAX_AGE_MS = 2_000;

/**
 * Which Nodes name an instance in their providerID, for the first reconciles of one invocation. There is no field
 * selector for spec.providerID, so each answer needs every Node; one list (refreshed after
 * {@link NODE_DIRECTORY_MAX_AGE_MS}) answers every first reconcile of the invocation, so a thousand nodes joining at
 * once cost one list per invocation, not one per node. A Node created after the list is found by its own first
 * reconcile, which lists again and sees the node already there. Created per invocation; never shared between them.
 */
export class NodeDirectory {
  private readonly index: FreshIndex<Map<string, KubeNodeInfo[]>>;

  constructor(nodes: Pick<KubeNodes, "list">, now: () => number, maxAgeMs = NODE_DIRECTORY_MAX_AGE_MS) {
    this.index = new FreshIndex(
      async () => {
        const byInstance = new Map<string, KubeNodeInfo[]>();
        for (const node of await nodes.list()) {
          const id = instanceIdFromProviderId(node.providerId);
          if (id) byInstance.set(id, [...(byInstance.get(id) ?? []), node]);
        }
        return byInstance;
      },
      now,
      maxAgeMs,
    );
  }

  /** Every Node whose providerID names `instanceId`. */
  async namingInstance(instanceId: string): Promise<KubeNodeInfo[]> {
    return (await this.index.get()).get(instanceId) ?? [];
  }
}
