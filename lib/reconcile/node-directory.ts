import { instanceIdFromProviderId } from "../core/provider-id";
import type { KubeNodeInfo, KubeNodes } from "../ports/kube";

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
  private snapshot: { at: number; byInstance: Map<string, KubeNodeInfo[]> } | undefined;
  private pending: Promise<Map<string, KubeNodeInfo[]>> | undefined;

  constructor(
    private readonly nodes: Pick<KubeNodes, "list">,
    private readonly now: () => number,
    private readonly maxAgeMs = NODE_DIRECTORY_MAX_AGE_MS,
  ) {}

  /** Every Node whose providerID names `instanceId`. */
  async namingInstance(instanceId: string): Promise<KubeNodeInfo[]> {
    return (await this.index()).get(instanceId) ?? [];
  }

  private async index(): Promise<Map<string, KubeNodeInfo[]>> {
    if (this.snapshot && this.now() - this.snapshot.at <= this.maxAgeMs) return this.snapshot.byInstance;
    this.pending ??= this.nodes
      .list()
      .then((nodes) => {
        const byInstance = new Map<string, KubeNodeInfo[]>();
        for (const node of nodes) {
          const id = instanceIdFromProviderId(node.providerId);
          if (id) byInstance.set(id, [...(byInstance.get(id) ?? []), node]);
        }
        this.snapshot = { at: this.now(), byInstance };
        return byInstance;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
