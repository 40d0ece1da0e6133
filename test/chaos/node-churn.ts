import type { Pipeline } from "../../lib/testbed/local/pipeline";
import type { NodeChurnEvent } from "./chaos-plan";

/** A second Node naming a cluster node's instance, while it existed (simulated ms). */
export interface StaleOverlap {
  staleNode: string;
  node: string;
  instanceId: string;
  fromSimMs: number;
  toSimMs?: number;
  /** Whether an invocation carrying a nudge for the stale node ended while it existed. */
  nudgeHandled?: boolean;
}

/** How long a stale Node may outlive its planned lifetime, waiting for the allocator to have seen it. */
export const STALE_WAIT_SIM_MS = 120_000;

/** Pods a re-joined node starts with (as a node of the workload does). */
export const PODS_AT_JOIN = 10;

/**
 * Node churn in a chaos run: a node is deleted from Kubernetes (its pods go with it) and comes back under the same
 * name — on a new instance (the old one terminated, or left running: its allocator objects are then leaks for the
 * collector), or on the same instance (a kubelet re-registering); or a stale second Node names a node's instance for a
 * while (a Node left behind by a re-registration) and is then garbage-collected. One churn per node at a time.
 */
export class NodeChurn {
  readonly staleOverlaps: StaleOverlap[] = [];
  /** Instances left running without a Node (their allocator VNICs and IPs must be collected). */
  readonly orphanedInstances: string[] = [];
  private readonly busy = new Set<string>();
  private staleCount = 0;

  /**
   * `nudgeHandled(node)`: whether an invocation that carried a nudge for that node has ended; `staleDone(stale)`:
   * whether the allocator has reacted to a stale Node (WorldSampler.staleDone).
   */
  constructor(
    private readonly pipeline: Pipeline,
    private readonly nudgeHandled: (node: string) => boolean,
    private readonly staleDone: (staleNode: string) => boolean,
  ) {}

  /** Whether a node is between its deletion and its return (the workload leaves it alone). */
  isBusy(node: string): boolean {
    return this.busy.has(node);
  }

  async apply(event: NodeChurnEvent): Promise<string> {
    const joined = [...this.pipeline.sim.nodes.keys()].filter((n) => !this.busy.has(n));
    if (joined.length === 0) return "no node free of churn: skipped";
    const name = joined[event.node % joined.length]!;
    const sim = this.pipeline.sim;
    const instanceId = sim.nodes.get(name)!.instanceId;
    this.busy.add(name);
    try {
      if (event.kind === "stale-node") return await this.stale(name, instanceId, event.lifetimeSimMs);
      sim.removeNode(name);
      if (event.kind === "node-replace") this.pipeline.cluster.oci.admin.terminateInstance(instanceId);
      if (event.kind === "node-replace-orphan") this.orphanedInstances.push(instanceId);
      await this.pipeline.clock.sleep(event.gapSimMs);
      const back = event.kind === "node-rejoin" ? sim.joinLaunched(name, instanceId) : await sim.joinNode(name);
      sim.schedulePods(name, PODS_AT_JOIN);
      const fate = { "node-replace": "terminated", "node-replace-orphan": "left running", "node-rejoin": "kept" };
      const what = fate[event.kind];
      return `${name}: ${instanceId.slice(-6)} ${what}, back on ${back.instanceId.slice(-6)}`;
    } finally {
      this.busy.delete(name);
    }
  }

  private async stale(name: string, instanceId: string, lifetimeSimMs: number): Promise<string> {
    const staleNode = `${name}-stale-${++this.staleCount}`;
    const overlap: StaleOverlap = { staleNode, node: name, instanceId, fromSimMs: this.pipeline.clock.nowMs() };
    this.staleOverlaps.push(overlap);
    // The Node left behind by an earlier registration of the same instance, and its (empty) CiliumNode.
    this.pipeline.cluster.joinNode(staleNode, instanceId);
    await this.pipeline.clock.sleep(lifetimeSimMs);
    // It lives on (bounded) until the allocator has reacted to it and a whole invocation has run since: on a slow
    // function its nudge may not have been handled yet, and a stale Node the allocator never saw proves nothing.
    const until = this.pipeline.clock.nowMs() + STALE_WAIT_SIM_MS;
    while (!this.staleDone(staleNode) && this.pipeline.clock.nowMs() < until) await this.pipeline.clock.sleep(1_000);
    const seen = this.nudgeHandled(staleNode);
    overlap.nudgeHandled = seen;
    // Garbage-collected: the CiliumNode (Cilium's operator), then the Node.
    this.pipeline.cluster.kube.store.delete("ciliumnodes", staleNode);
    this.pipeline.cluster.kube.store.delete("nodes", staleNode);
    overlap.toSimMs = this.pipeline.clock.nowMs();
    const lived = ((overlap.toSimMs - overlap.fromSimMs) / 1000).toFixed(1);
    const unseen = seen ? "" : " (its nudge was never handled)";
    return `${staleNode} named ${name}'s instance ${instanceId.slice(-6)} for ${lived} s${unseen}`;
  }
}
