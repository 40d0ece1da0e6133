import { createKubeClients } from "../../../adapters/kube";
import type { Log } from "../../../log";
import { SimulatedCiliumAgent } from "../cilium-agent/simulated-agent";
import type { LocalCluster } from "../local-cluster";
import type { SimClock } from "./sim-clock";

/** Cilium's IPAMCiliumNodeUpdateRate: the agent writes status.ipam.used at most every 15 s. */
export const AGENT_UPDATE_INTERVAL_SIM_MS = 15_000;

export interface SimNode {
  name: string;
  instanceId: string;
  joinedAtSimMs: number;
  /** When the pool first held pre-allocate IPs (8, or the node's pre-allocate). */
  readyAtSimMs?: number;
  agent: SimulatedCiliumAgent;
  pods: Set<string>;
  nextPod: number;
  /** Largest (used + pre-allocate + pending pods) seen so far: the pool may never exceed it. */
  maxDemand: number;
  /** Largest pool seen, and whether it ever exceeded maxDemand at that moment. */
  maxPool: number;
  overAllocation?: { simMs: number; pool: number; demand: number };
}

export interface SimulationOptions {
  clock: SimClock;
  log: Log;
  shape: string;
  ocpus?: number;
  /** Agent iteration period, simulated (it answers pods and the handshake then). */
  agentTickSimMs?: number;
  preAllocate?: number;
}

/**
 * The cluster side of a local run: nodes join (an instance launches in the OCI emulator; the kubelet's Node with its
 * providerID and the agent's empty CiliumNode appear), pods are scheduled and deleted, and one Cilium agent stand-in
 * per node hands out pool IPs, answers the release handshake and writes status.ipam.used through the Kubernetes API
 * under Cilium's own agent RBAC. The agents learn about their CiliumNode from the store's change feed (the real agent
 * has a watch); their writes go over HTTP.
 */
export class ClusterSimulation {
  readonly nodes = new Map<string, SimNode>();
  private readonly agentApi;
  private ticking = false;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly options: SimulationOptions,
  ) {
    this.agentApi = createKubeClients({
      kind: "token",
      server: cluster.kube.endpoint,
      token: cluster.kube.tokens["kube-system/cilium"]!,
    }).customObjects;
  }

  start(): void {
    this.unsubscribe = this.cluster.kube.store.onChange((event) => {
      if (event.typeKey !== "ciliumnodes.cilium.io") return;
      const obj = event.object as {
        metadata: { name: string };
        spec?: { ipam?: { pool?: object; "pre-allocate"?: number } };
        status?: { ipam?: { used?: object } };
      };
      const node = this.nodes.get(obj.metadata.name);
      if (!node) return;
      if (event.type === "DELETED") return node.agent.forget();
      node.agent.observe(obj);
      this.sample(node, obj);
    });
    this.ticking = true;
    this.loop = this.tickLoop();
  }

  async stop(): Promise<void> {
    this.ticking = false;
    this.unsubscribe?.();
    await this.loop;
  }

  /**
   * Called once per instance of the cluster right after it launches, before the allocator can know of it (no Node or
   * CiliumNode yet, and for a launch no launchinstance.end sent): the harness adds its "another tool" witness IP
   * here, so that it never races the allocator for a VNIC's room and a seed reproduces a run. Awaited before the node
   * joins. (For a PROVISIONING instance this relies on the emulator's model, in which the primary VNIC is AVAILABLE
   * from launch: lib/testbed/oci-emulator/world/compute.ts; that OCI accepts a secondary IP that early is not
   * confirmed.)
   */
  onInstanceLaunched: ((name: string, instanceId: string) => Promise<void>) | undefined;

  /** A node joins: its instance launches, then the Node and CiliumNode appear. */
  async joinNode(name: string): Promise<SimNode> {
    const instanceId = this.cluster.launchInstance(name, this.instanceSpec(), true);
    await this.onInstanceLaunched?.(name, instanceId);
    this.cluster.joinNode(name, instanceId);
    return this.track(name, instanceId);
  }

  /**
   * Launches a node's instance as OCI does (PROVISIONING, then RUNNING with launchinstance.end after the modelled
   * launch time, 30 simulated s); it joins later.
   */
  async launchInstance(name: string): Promise<string> {
    const instanceId = this.cluster.launchInstance(name, this.instanceSpec(), false);
    await this.onInstanceLaunched?.(name, instanceId);
    return instanceId;
  }

  /** The kubelet of a launched instance registers: the Node and the CiliumNode appear. */
  joinLaunched(name: string, instanceId: string): SimNode {
    this.cluster.joinNode(name, instanceId);
    return this.track(name, instanceId);
  }

  /** A node leaves Kubernetes (Node and CiliumNode deleted, its pods gone) while its instance keeps running. */
  removeNode(name: string): void {
    const node = this.mustGet(name);
    for (const pod of node.pods) this.cluster.kube.store.delete("pods", pod, "default");
    this.cluster.kube.store.delete("ciliumnodes", name);
    this.cluster.kube.store.delete("nodes", name);
    this.nodes.delete(name);
  }

  /** Allocator-owned secondary IPs on the instance's VNICs that are the node's (its tag, or only the instance's). */
  private allocatorIpsOn(instanceId: string, node: string): number {
    const snap = this.cluster.oci.admin.snapshot() as unknown as {
      vnics: Array<{ id: string; instanceId: string }>;
      privateIps: Array<{ vnicId: string; isPrimary: boolean; freeformTags: Record<string, string> }>;
    };
    const vnics = new Set(snap.vnics.filter((v) => v.instanceId === instanceId).map((v) => v.id));
    return snap.privateIps.filter(
      (ip) =>
        !ip.isPrimary &&
        vnics.has(ip.vnicId) &&
        ip.freeformTags["ocipam-cluster"] !== undefined &&
        (ip.freeformTags["ocipam-node"] ?? node) === node,
    ).length;
  }

  private instanceSpec() {
    return { shape: this.options.shape, ...(this.options.ocpus ? { ocpus: this.options.ocpus } : {}) };
  }

  private track(name: string, instanceId: string): SimNode {
    const agent = new SimulatedCiliumAgent(this.agentApi, name, {
      updateIntervalMs: this.options.clock.real(AGENT_UPDATE_INTERVAL_SIM_MS),
      now: Date.now,
      log: this.options.log,
    });
    // A node that rejoins its instance (or an instance prepared before it joined) finds allocator IPs there already:
    // the
    // allocator adopts them instead of creating new ones, so they count as demand the plan did not have to ask for.
    const existing = this.allocatorIpsOn(instanceId, name);
    const node: SimNode = {
      name,
      instanceId,
      joinedAtSimMs: this.options.clock.nowMs(),
      agent,
      pods: new Set(),
      nextPod: 0,
      maxDemand: Math.max(this.preAllocate + agent.waitingPods.length, existing),
      maxPool: 0,
    };
    this.nodes.set(name, node);
    return node;
  }

  /** Schedules `count` pods on the node: Pending until its agent has an IP for them. */
  schedulePods(name: string, count: number): void {
    const node = this.mustGet(name);
    for (let i = 0; i < count; i++) {
      const pod = `${name}-pod-${node.nextPod++}`;
      this.cluster.kube.store.create(
        "pods",
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: pod, namespace: "default" },
          spec: { nodeName: name, containers: [{ name: "app", image: "busybox" }] },
          status: { phase: "Pending" },
        },
        { keepStatus: true },
      );
      node.pods.add(pod);
      node.agent.addPod(`default/${pod}`);
    }
    node.maxDemand = Math.max(node.maxDemand, this.demandOf(node));
  }

  /** Deletes `count` of the node's pods (the oldest first, or those `pick` chooses). */
  deletePods(name: string, count: number, pick?: (pods: string[]) => string[]): void {
    const node = this.mustGet(name);
    const victims = pick ? pick([...node.pods]).slice(0, count) : [...node.pods].slice(0, count);
    for (const pod of victims) {
      this.cluster.kube.store.delete("pods", pod, "default");
      node.pods.delete(pod);
      node.agent.removePod(`default/${pod}`);
    }
  }

  /** Pods of the node still without an IP. */
  pendingPods(name: string): number {
    return this.mustGet(name).agent.waitingPods.filter((o) => o.startsWith("default/")).length;
  }

  get preAllocate(): number {
    return this.options.preAllocate ?? 8;
  }

  private demandOf(node: SimNode): number {
    return node.agent.state.allocated.size + node.agent.waitingPods.length + this.preAllocate;
  }

  private sample(node: SimNode, obj: { spec?: { ipam?: { pool?: object } } }): void {
    const pool = Object.keys(obj.spec?.ipam?.pool ?? {}).length;
    node.maxPool = Math.max(node.maxPool, pool);
    if (pool > node.maxDemand && !node.overAllocation)
      node.overAllocation = { simMs: this.options.clock.nowMs(), pool, demand: node.maxDemand };
    if (node.readyAtSimMs === undefined && pool >= this.preAllocate) node.readyAtSimMs = this.options.clock.nowMs();
  }

  private async tickLoop(): Promise<void> {
    const tick = this.options.agentTickSimMs ?? 1000;
    while (this.ticking) {
      await Promise.all(
        [...this.nodes.values()].map(async (node) => {
          try {
            const assigned = await node.agent.tick();
            for (const { owner, ip } of assigned) {
              const pod = owner.slice("default/".length);
              if (!node.pods.has(pod)) continue;
              this.cluster.kube.store.patch(
                "pods",
                pod,
                { status: { phase: "Running", podIP: ip, podIPs: [{ ip }] } },
                { namespace: "default", subresource: "status" },
              );
            }
            node.maxDemand = Math.max(node.maxDemand, this.demandOf(node));
          } catch (err) {
            this.options.log.warn({ node: node.name, err: String(err) }, "agent stand-in iteration failed");
          }
        }),
      );
      await this.options.clock.sleep(tick);
    }
  }

  private mustGet(name: string): SimNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`node ${name} has not joined`);
    return node;
  }
}
