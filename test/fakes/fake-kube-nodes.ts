import { instanceIdFromProviderId } from "../../lib/core/provider-id";
import type { KubeNodeInfo, KubeNodes, Pods } from "../../lib/ports/kube";
import type { Faults } from "./faults";

/** Kubernetes Nodes in memory, each naming its instance in `spec.providerID`. */
export class FakeKubeNodes implements KubeNodes {
  readonly nodes = new Map<string, KubeNodeInfo>();

  constructor(private readonly faults: Faults) {}

  /** The kubelet registers the Node (providerID `oci://<instance>`). */
  add(name: string, instanceId: string, labels: Record<string, string> = {}): KubeNodeInfo {
    const node: KubeNodeInfo = { name, uid: `uid-node-${name}`, providerId: `oci://${instanceId}`, labels };
    this.nodes.set(name, node);
    return structuredClone(node);
  }

  async get(name: string): Promise<KubeNodeInfo | undefined> {
    this.faults.check("kube", "getNode", [name]);
    const node = this.nodes.get(name);
    return node ? structuredClone(node) : undefined;
  }

  /** The first Node (by name) whose providerID names the instance. */
  async findByInstanceId(instanceId: string): Promise<KubeNodeInfo | undefined> {
    this.faults.check("kube", "findByInstanceId", [instanceId]);
    const node = [...this.nodes.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .find((n) => instanceIdFromProviderId(n.providerId) === instanceId);
    return node ? structuredClone(node) : undefined;
  }

  /** Every Node, by name. */
  async list(): Promise<KubeNodeInfo[]> {
    this.faults.check("kube", "listNodes", []);
    return [...this.nodes.values()].sort((a, b) => a.name.localeCompare(b.name)).map((n) => structuredClone(n));
  }

  /** Every Node (by name) whose providerID names the instance. */
  async listByInstanceId(instanceId: string): Promise<KubeNodeInfo[]> {
    this.faults.check("kube", "listByInstanceId", [instanceId]);
    return [...this.nodes.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .filter((n) => instanceIdFromProviderId(n.providerId) === instanceId)
      .map((n) => structuredClone(n));
  }
}

/** Pods bound to a node and still Pending, per node (Cilium's surge allocation counts them). */
export class FakePods implements Pods {
  readonly pending = new Map<string, number>();

  constructor(private readonly faults: Faults) {}

  async countPending(nodeName: string): Promise<number> {
    this.faults.check("kube", "countPending", [nodeName]);
    return this.pending.get(nodeName) ?? 0;
  }
}
