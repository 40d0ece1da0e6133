import type { CustomObjectsApi } from "@kubernetes/client-node";
import type { AllocationIp, ReleaseStatus } from "../../../core/model";
import type { Log } from "../../../log";
import { AgentState } from "./agent-state";

const CILIUM_NODES = { group: "cilium.io", version: "v2", plural: "ciliumnodes" } as const;

interface CiliumNodeObject {
  metadata: { name: string; resourceVersion?: string };
  spec?: { ipam?: { pool?: Record<string, AllocationIp> } };
  status?: { ipam?: { used?: Record<string, AllocationIp>; "release-ips"?: Record<string, ReleaseStatus> } };
}

export interface SimulatedAgentOptions {
  /** Cilium's IPAMCiliumNodeUpdateRate: at most one status write per interval (15 s, scaled by the simulation). */
  updateIntervalMs: number;
  now: () => number;
  log: Log;
  /** Owners the agent allocates at boot from the pool: Cilium takes the router and health IPs first. */
  infraOwners?: string[];
}

/**
 * A stand-in for the Cilium agent of one node in local runs: it reads its CiliumNode through the Kubernetes API,
 * hands pool IPs to pods, answers the release handshake and writes status.ipam.used (UpdateStatus, guarded by
 * resourceVersion, retried on conflict) no more often than the agent's update rate.
 */
export class SimulatedCiliumAgent {
  readonly state = new AgentState();
  private readonly waiting: string[] = [];
  private dirty = false;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private pool: Record<string, AllocationIp> = {};
  statusWrites = 0;
  conflicts = 0;

  constructor(
    private readonly api: CustomObjectsApi,
    readonly node: string,
    private readonly options: SimulatedAgentOptions,
  ) {
    this.waiting.push(...(options.infraOwners ?? ["router", "health"]));
  }

  /** A pod was scheduled on the node: it waits for an IP until the pool has one. */
  addPod(owner: string): void {
    this.waiting.push(owner);
  }

  /** A pod was deleted: its IP returns to the agent's free set, or it stops waiting. */
  removePod(owner: string): void {
    const at = this.waiting.indexOf(owner);
    if (at >= 0) this.waiting.splice(at, 1);
    if (this.state.release(owner)) this.dirty = true;
  }

  private latest: CiliumNodeObject | undefined;

  /** Feeds the agent its CiliumNode as a watch delivers it (what the agent's own informer does). */
  observe(object: unknown): void {
    const candidate = object as CiliumNodeObject;
    if (!this.latest || Number(candidate.metadata.resourceVersion) >= Number(this.latest.metadata.resourceVersion))
      this.latest = candidate;
  }

  /** The CiliumNode was deleted. */
  forget(): void {
    this.latest = undefined;
  }

  /** True while the agent has changes not yet written to status (it waits for its update rate). */
  get hasPendingWrite(): boolean {
    return this.dirty;
  }

  get poolSize(): number {
    return Object.keys(this.pool).length;
  }

  get waitingPods(): readonly string[] {
    return this.waiting;
  }

  /**
   * One agent iteration: read the CiliumNode, answer the handshake, give waiting pods IPs, and write status when due.
   * Returns the pods that got an IP in this iteration.
   */
  async tick(): Promise<Array<{ owner: string; ip: string }>> {
    // The real agent keeps its own CiliumNode from a watch; a stand-in without one reads it.
    let node = this.latest;
    if (!node) {
      try {
        node = (await this.api.getClusterCustomObject({ ...CILIUM_NODES, name: this.node })) as CiliumNodeObject;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return [];
        throw err;
      }
    }
    this.pool = node.spec?.ipam?.pool ?? {};
    const view = { pool: this.pool, releaseIps: node.status?.ipam?.["release-ips"] ?? {} };
    const answer = this.state.answerReleaseHandshake(view);
    if (answer.changed) this.dirty = true;
    view.releaseIps = answer.releaseIps;

    const assigned: Array<{ owner: string; ip: string }> = [];
    while (this.waiting.length > 0) {
      const ip = this.state.allocateNext(view, this.waiting[0]!);
      if (!ip) break;
      assigned.push({ owner: this.waiting.shift()!, ip });
      this.dirty = true;
    }
    if (this.dirty && this.options.now() - this.lastWriteAt >= this.options.updateIntervalMs) {
      await this.writeStatus(node, view.releaseIps);
    }
    return assigned;
  }

  private async writeStatus(node: CiliumNodeObject, releaseIps: Record<string, ReleaseStatus>): Promise<void> {
    const body: CiliumNodeObject = {
      ...node,
      status: { ...node.status, ipam: { ...node.status?.ipam, used: this.state.usedMap(), "release-ips": releaseIps } },
    };
    try {
      this.observe(await this.api.replaceClusterCustomObjectStatus({ ...CILIUM_NODES, name: this.node, body }));
      this.dirty = false;
      this.lastWriteAt = this.options.now();
      this.statusWrites++;
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      // Stale copy: the watch delivers the newer object and the next iteration writes again (the agent's trigger
      // does the same); without a watch, read it afresh.
      this.conflicts++;
      this.latest = undefined;
      this.options.log.debug({ node: this.node }, "agent status write conflicted; retrying on the next iteration");
    }
  }
}
