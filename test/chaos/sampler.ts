import type { Pipeline } from "../../lib/testbed/local/pipeline";
import type { DeletionLedger } from "./deletion-ledger";
import type { NodeChurn, StaleOverlap } from "./node-churn";
import type { ChaosOperator } from "./operator";
import { allocatorIps, ciliumNode, worldOf, type WorldView } from "./world-view";

/** The first time a pod's IP was missing from OCI. */
export interface InUseViolation {
  atSimS: number;
  node: string;
  ip: string;
  vnicId: string;
  /** How the address had left OCI, as the deletion ledger saw it (filled in by the run). */
  went?: string;
}

/** What the allocator did on an instance that two Nodes named (after it refused them), and to the stale node. */
export interface StaleFinding {
  staleNode: string;
  node: string;
  /** Simulated time of the first refusal the Kubernetes emulator showed (a Warning Event on either CiliumNode). */
  refusedAtSimS?: number;
  /** From when on nothing may change: once the invocation that refused has ended (undefined: never reached). */
  strictFromSimS?: number;
  created: string[];
  deleted: string[];
  vnicsAttached: number;
  /** Allocator IPs tagged with the stale node's name, or a non-empty pool on its CiliumNode. */
  staleNodeGotIps: boolean;
}

/** Reasons of the Warning Events the allocator records on both CiliumNodes when it refuses two Nodes of an instance. */
export const REFUSAL_REASONS: ReadonlySet<string> = new Set([
  "InstanceClaimedByAnotherNode",
  "InstanceNamedByTwoNodes",
]);

/**
 * Samples the emulated world every simulated second (on a fixed schedule, so late samples show as gaps): no IP an
 * agent stand-in holds for a pod may be missing from OCI; deletions are classified (DeletionLedger); what happened on
 * instances two Nodes named is recorded. An IP the chaos operator deleted out of band and an agent handed to a pod
 * afterwards (it was still in the pool) is excused: that pod was broken by the operator, not by the allocator.
 */
export class WorldSampler {
  samples = 0;
  maxGapSimMs = 0;
  /** Reported times count from here (the workload's start, as injection times do); 0 until the run sets it. */
  originSimMs = 0;
  startedAtSimMs = 0;
  lastAtSimMs = 0;
  readonly violations: InUseViolation[] = [];
  /** `node ip` of allocations the operator's deletions explain. */
  readonly excused = new Set<string>();
  readonly stale = new Map<string, StaleFinding>();
  /** Orphaned instances (node churn left them running) on which an allocator IP or VNIC was seen after orphaning. */
  readonly orphansWithObjects = new Set<string>();
  private readonly firstHeld = new Map<string, number>();
  private readonly staleBaseline = new Map<string, { ips: Set<string>; vnics: Set<string>; offered: Set<string> }>();
  /** stale node → connector invocations started when the refusal was first seen. */
  private readonly refusedDuring = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly ledger: DeletionLedger,
    private readonly operator: ChaosOperator,
    private readonly churn: NodeChurn,
  ) {}

  start(): void {
    this.running = true;
    this.startedAtSimMs = this.pipeline.clock.nowMs();
    this.loop = (async () => {
      for (let k = 0; this.running; k++) {
        this.sampleNow();
        const wait = this.startedAtSimMs + (k + 1) * 1000 - this.pipeline.clock.nowMs();
        await this.pipeline.clock.sleep(Math.max(wait, 0));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.sampleNow();
  }

  /** One sample: in-use check, deletion ledger, stale-Node effects. */
  sampleNow(): void {
    const now = this.pipeline.clock.nowMs();
    if (this.samples > 0) this.maxGapSimMs = Math.max(this.maxGapSimMs, now - this.lastAtSimMs);
    this.samples++;
    this.lastAtSimMs = now;
    const world = worldOf(this.pipeline);
    this.checkInUse(world, now);
    this.ledger.observeWorld(world, now);
    for (const overlap of this.churn.staleOverlaps) this.checkStale(overlap, world, now);
    this.checkOrphans(world);
  }

  private checkOrphans(world: WorldView): void {
    if (this.churn.orphanedInstances.length === 0) return;
    const orphaned = new Set(this.churn.orphanedInstances);
    const vnicInstance = new Map(world.vnics.map((v) => [v.id, v.instanceId]));
    for (const ip of allocatorIps(world)) {
      const instance = vnicInstance.get(ip.vnicId);
      if (instance && orphaned.has(instance)) this.orphansWithObjects.add(instance);
    }
    for (const v of world.vnics) {
      if (v.isPrimary || !orphaned.has(v.instanceId) || v.lifecycleState === "TERMINATED") continue;
      if (v.freeformTags["ocipam-cluster"] === "local") this.orphansWithObjects.add(v.instanceId);
    }
  }

  private checkInUse(world: WorldView, now: number): void {
    const present = new Set(world.privateIps.map((ip) => `${ip.ipAddress}|${ip.vnicId}`));
    const held = new Set<string>();
    for (const node of this.pipeline.sim.nodes.values()) {
      for (const [ip, entry] of node.agent.state.allocated) {
        const key = `${ip}|${entry.resource ?? ""}`;
        const holder = `${node.name}|${key}`;
        held.add(holder);
        if (!this.firstHeld.has(holder)) this.firstHeld.set(holder, now);
        if (present.has(key)) continue;
        const removedAt = this.operator.removedAt.get(key);
        if (removedAt !== undefined && this.firstHeld.get(holder)! >= removedAt) {
          this.excused.add(`${node.name} ${ip}`);
          continue;
        }
        if (!this.violations.some((v) => v.node === node.name && v.ip === ip)) {
          const atSimS = (now - this.originSimMs) / 1000;
          this.violations.push({ atSimS, node: node.name, ip, vnicId: entry.resource ?? "" });
        }
      }
    }
    for (const holder of this.firstHeld.keys()) if (!held.has(holder)) this.firstHeld.delete(holder);
  }

  /**
   * A Kubernetes Event as the store changed it: the first refusal Event on either CiliumNode of an active overlap
   * starts its strict window. The connector stand-in delivers one batch at a time (one delivery lane, its default), so
   * once the next invocation has started the one that refused (and whatever it did for the other node) has ended.
   */
  observeEvent(event: { reason?: string; type?: string; involvedObject?: { kind?: string; name?: string } }): void {
    if (event.type !== "Warning" || !REFUSAL_REASONS.has(event.reason ?? "")) return;
    for (const overlap of this.churn.staleOverlaps) {
      if (overlap.toSimMs !== undefined || this.refusedDuring.has(overlap.staleNode)) continue;
      if (event.involvedObject?.name !== overlap.staleNode && event.involvedObject?.name !== overlap.node) continue;
      this.refusedDuring.set(overlap.staleNode, this.pipeline.connector.stats.invocations);
      this.findingOf(overlap).refusedAtSimS = (this.pipeline.clock.nowMs() - this.originSimMs) / 1000;
    }
  }

  /**
   * Whether a stale Node has served its purpose: the allocator refused it and a whole invocation has run since (the
   * strict window is not empty), or the stale node got IPs (the failure is already certain).
   */
  staleDone(staleNode: string): boolean {
    if (this.stale.get(staleNode)?.staleNodeGotIps) return true;
    const refusedDuring = this.refusedDuring.get(staleNode);
    return refusedDuring !== undefined && this.pipeline.connector.stats.invocations >= refusedDuring + 2;
  }

  private findingOf(overlap: StaleOverlap): StaleFinding {
    const fresh: StaleFinding = {
      staleNode: overlap.staleNode,
      node: overlap.node,
      created: [],
      deleted: [],
      vnicsAttached: 0,
      staleNodeGotIps: false,
    };
    const finding = this.stale.get(overlap.staleNode) ?? fresh;
    this.stale.set(overlap.staleNode, finding);
    return finding;
  }

  private checkStale(overlap: StaleOverlap, world: WorldView, now: number): void {
    const finding = this.findingOf(overlap);
    const active = overlap.toSimMs === undefined || now <= overlap.toSimMs;
    if (!active) return;
    // From the start: the stale node never gets an IP.
    const pool = Object.keys(ciliumNode(this.pipeline, overlap.staleNode)?.spec?.ipam?.pool ?? {});
    const tagged = allocatorIps(world).some((ip) => ip.freeformTags["ocipam-node"] === overlap.staleNode);
    if (pool.length > 0 || tagged) finding.staleNodeGotIps = true;
    // Until the allocator has seen both Nodes it may go on serving the node that holds the instance; once the
    // invocation that refused has ended, nothing changes on the instance.
    const refusedDuring = this.refusedDuring.get(overlap.staleNode);
    if (refusedDuring === undefined || this.pipeline.connector.stats.invocations <= refusedDuring) return;
    finding.strictFromSimS ??= (now - this.originSimMs) / 1000;
    const secondary = world.vnics.filter((v) => v.instanceId === overlap.instanceId && !v.isPrimary);
    const vnics = new Set(secondary.filter((v) => v.lifecycleState !== "TERMINATED").map((v) => v.id));
    const onInstance = world.vnics.filter((v) => v.instanceId === overlap.instanceId).map((v) => v.id);
    const ips = new Set(
      allocatorIps(world)
        .filter((ip) => onInstance.includes(ip.vnicId))
        .map((ip) => `${ip.ipAddress}|${ip.vnicId}|${ip.id}`),
    );
    // Addresses either node offers or uses: those must stay. An allocator IP in no pool and not in use (created by a
    // round whose pool write failed before the refusal) is an orphan, and leak collection taking it is right.
    const offered = new Set<string>();
    for (const name of [overlap.staleNode, overlap.node]) {
      const cn = ciliumNode(this.pipeline, name);
      for (const a of Object.keys(cn?.spec?.ipam?.pool ?? {})) offered.add(a);
      for (const a of Object.keys(cn?.status?.ipam?.used ?? {})) offered.add(a);
    }
    const before = this.staleBaseline.get(overlap.staleNode);
    this.staleBaseline.set(overlap.staleNode, { ips, vnics, offered });
    if (!before) return;
    for (const ip of ips) if (!before.ips.has(ip)) finding.created.push(ip.split("|")[0]!);
    for (const ip of before.ips) {
      const [address, vnicId] = ip.split("|") as [string, string];
      // The operator's own deletions and detaches are not the allocator's.
      if (ips.has(ip) || this.operator.removedAt.has(`${address}|${vnicId}`)) continue;
      if (!before.offered.has(address)) continue;
      finding.deleted.push(ip.split("|")[0]!);
    }
    for (const v of vnics) if (!before.vnics.has(v)) finding.vnicsAttached++;
  }
}
