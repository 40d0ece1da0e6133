import * as common from "oci-common";
import * as core from "oci-core";
import type { Pipeline } from "../../lib/testbed/local/pipeline";
import { poll } from "../support/poll";
import { allocatorIps, ciliumNode, worldOf } from "./world-view";

/** How long an out-of-band action waits for something it may act on. */
export const WAIT_FOR_TARGET_SIM_MS = 30_000;

/**
 * An operator acting out of band through the OCI SDK with the tenancy administrators' credentials: deletes
 * allocator-tagged private IPs that sit in a pool but that no pod uses, and detaches allocator VNICs none of whose
 * IPs a pod uses. (Deleting an address a pod uses breaks that pod whatever the allocator does: not what the safety
 * properties are about.) Its own successful calls are counted here, so that the emulator's counters minus these are
 * the allocator's.
 */
export class ChaosOperator {
  ipsDeleted = 0;
  vnicsDetached = 0;
  failures: string[] = [];
  /** `address|vnicId` → simulated time the operator chose it for deletion (an IP, or every IP of a VNIC). */
  readonly removedAt = new Map<string, number>();
  private readonly deletedIds = new Set<string>();
  private readonly network: core.VirtualNetworkClient;
  private readonly compute: core.ComputeClient;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly random: () => number,
  ) {
    const c = pipeline.cluster.oci.credentials;
    const auth = new common.SimpleAuthenticationDetailsProvider(
      c.tenancyId,
      c.userId,
      c.fingerprint,
      c.privateKeyPem,
      null,
      common.Region.US_ASHBURN_1,
    );
    // Chaos faults hit these calls too: without the client's circuit breaker, each call stands alone.
    const config = { circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }) };
    this.network = new core.VirtualNetworkClient({ authenticationDetailsProvider: auth }, config);
    this.compute = new core.ComputeClient({ authenticationDetailsProvider: auth }, config);
    this.network.endpoint = pipeline.cluster.oci.endpoint;
    this.compute.endpoint = pipeline.cluster.oci.endpoint;
  }

  /** Whether the operator deleted this private IP itself (directly; IPs of a detached VNIC are not listed). */
  deletedOutOfBand(privateIpId: string): boolean {
    return this.deletedIds.has(privateIpId);
  }

  /**
   * Deletes up to `count` allocator IPs that are in their node's pool and neither in used nor held by the agent,
   * waiting up to WAIT_FOR_TARGET_SIM_MS for one to exist (a function slowed by chaos may not have filled pools yet).
   */
  async deleteIps(count: number): Promise<string> {
    const candidates = await this.waitFor(() => {
      const busy = this.addressesInUse();
      return allocatorIps(worldOf(this.pipeline)).filter((ip) => {
        const node = ip.freeformTags["ocipam-node"];
        const entry = node ? ciliumNode(this.pipeline, node)?.spec?.ipam?.pool?.[ip.ipAddress] : undefined;
        return entry?.resource === ip.vnicId && !busy.has(`${ip.ipAddress}|${ip.vnicId}`);
      });
    });
    if (candidates.length === 0) return "no pool IP free of pods: skipped";
    const chosen = this.sample(candidates, count);
    const done: string[] = [];
    // Every chosen address is noted before the first call: an agent that hands one out from now on is excused.
    const now = this.pipeline.clock.nowMs();
    const keyOf = (ip: { ipAddress: string; vnicId: string }) => `${ip.ipAddress}|${ip.vnicId}`;
    const before = new Map(chosen.map((ip) => [keyOf(ip), this.removedAt.get(keyOf(ip))]));
    for (const key of before.keys()) this.removedAt.set(key, now);
    for (const ip of chosen) {
      const key = `${ip.ipAddress}|${ip.vnicId}`;
      // A pod may have got it while the previous delete was in flight: an operator would not delete it then.
      if (this.addressesInUse().has(key)) {
        const previous = before.get(key);
        if (previous === undefined) this.removedAt.delete(key);
        else this.removedAt.set(key, previous);
        continue;
      }
      // Noted before the call: the sampler may see the IP gone before the answer arrives.
      this.deletedIds.add(ip.id);
      try {
        await this.network.deletePrivateIp({ privateIpId: ip.id });
        this.ipsDeleted++;
        done.push(`${ip.freeformTags["ocipam-node"]} ${ip.ipAddress}`);
      } catch (err) {
        this.deletedIds.delete(ip.id);
        this.failures.push(`DeletePrivateIp ${ip.ipAddress}: ${statusOf(err)}`);
      }
    }
    if (done.length > 0) return `deleted ${done.join(", ")}`;
    return `nothing deleted (${this.failures.slice(-chosen.length).join("; ") || "every chosen IP got a pod"})`;
  }

  /** Detaches one allocator secondary VNIC whose IPs no pod uses (waiting for one as deleteIps does). */
  async detachVnic(): Promise<string> {
    const attached = await this.waitFor(() => {
      const usedVnics = new Set([...this.addressesInUse()].map((key) => key.split("|")[1]!));
      const world = worldOf(this.pipeline);
      return world.vnics
        .filter((v) => !v.isPrimary && v.lifecycleState === "AVAILABLE" && v.freeformTags["ocipam-cluster"] === "local")
        .filter((v) => !usedVnics.has(v.id))
        .flatMap((v) => {
          const a = world.vnicAttachments.find((x) => x.assignedVnicId === v.id && x.lifecycleState === "ATTACHED");
          return a ? [{ vnic: v, attachmentId: a.id }] : [];
        });
    });
    if (attached.length === 0) return "no allocator VNIC free of pods: skipped";
    const world = worldOf(this.pipeline);
    const [{ vnic, attachmentId }] = this.sample(attached, 1) as [(typeof attached)[number]];
    const now = this.pipeline.clock.nowMs();
    for (const ip of world.privateIps.filter((p) => p.vnicId === vnic.id)) {
      this.removedAt.set(`${ip.ipAddress}|${vnic.id}`, now);
    }
    try {
      await this.compute.detachVnic({ vnicAttachmentId: attachmentId });
      this.vnicsDetached++;
      return `detached ${vnic.id} (${vnic.freeformTags["ocipam-node"] ?? "?"}, ${vnic.secondaryIpCount} IPs)`;
    } catch (err) {
      this.failures.push(`DetachVnic ${vnic.id}: ${statusOf(err)}`);
      return `detach failed (${this.failures[this.failures.length - 1]})`;
    }
  }

  close(): void {
    this.network.shutdownCircuitBreaker();
    this.compute.shutdownCircuitBreaker();
  }

  /** `address|vnicId` of every IP in a CiliumNode's status.ipam.used or held by an agent stand-in. */
  private addressesInUse(): Set<string> {
    const busy = new Set<string>();
    // By name, not with a list: the chaos run's Kubernetes list faults must hit the product, not the harness.
    for (const name of this.pipeline.sim.nodes.keys()) {
      const cn = ciliumNode(this.pipeline, name);
      const used = Object.entries(cn?.status?.ipam?.used ?? {}) as Array<[string, { resource?: string }]>;
      for (const [ip, entry] of used) {
        busy.add(`${ip}|${entry.resource ?? cn?.spec?.ipam?.pool?.[ip]?.resource ?? ""}`);
      }
    }
    for (const node of this.pipeline.sim.nodes.values()) {
      for (const [ip, entry] of node.agent.state.allocated) busy.add(`${ip}|${entry.resource ?? ""}`);
    }
    return busy;
  }

  private async waitFor<T>(find: () => T[]): Promise<T[]> {
    const found = await poll(
      () => {
        const now = find();
        return now.length > 0 && now;
      },
      { clock: this.pipeline.clock, timeoutMs: WAIT_FOR_TARGET_SIM_MS, intervalMs: 1_000 },
    );
    return found ?? [];
  }

  private sample<T>(items: T[], count: number): T[] {
    const copy = [...items];
    const out: T[] = [];
    while (out.length < count && copy.length > 0) out.push(copy.splice(Math.floor(this.random() * copy.length), 1)[0]!);
    return out;
  }
}

/** An SDK error's HTTP status, or the error's text. */
function statusOf(err: unknown): string {
  return String((err as { statusCode?: number }).statusCode ?? err);
}
