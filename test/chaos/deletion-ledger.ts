import type { WorldView } from "./world-view";
import { CLUSTER_TAG } from "./world-view";

/** How an allocator-tagged private IP left OCI, as seen from the emulated world (not from the allocator's claims). */
export type Disappearance =
  | "release" // DeletePrivateIp after Cilium's agent answered ready-for-release for it
  | "collector" // DeletePrivateIp of an IP that was never in the release handshake: leak collection
  | "out-of-band" // the harness's operator deleted it
  | "with-vnic" // its VNIC was detached (by the collector or the operator): OCI deletes the VNIC's IPs
  | "with-instance"; // its instance was terminated

interface Seen {
  ipAddress: string;
  vnicId: string;
  node: string | undefined;
  /** The instance of its VNIC when first seen (a terminated instance's VNICs may vanish from the world). */
  instanceId: string | undefined;
  firstSeenMs: number;
}

/**
 * Watches the emulated world once per sample and the CiliumNodes' release handshake, and says how each allocator IP
 * that disappeared went. Pure: the caller feeds snapshots and CiliumNode changes with their simulated times.
 */
export class DeletionLedger {
  readonly counts: Record<Disappearance, number> = {
    release: 0,
    collector: 0,
    "out-of-band": 0,
    "with-vnic": 0,
    "with-instance": 0,
  };
  /** Logged times count from here (the workload's start); 0 until the run sets it. */
  originMs = 0;
  /** Every disappearance, in order: for the JSON report. */
  readonly log: Array<{ atSimS: number; node: string | undefined; ip: string; how: Disappearance }> = [];
  private readonly seen = new Map<string, Seen>();
  /** node|address → last simulated time the agent's ready-for-release (or the allocator's released) was seen. */
  private readonly handshake = new Map<string, number>();

  /** `deletedOutOfBand(id)`: whether the harness's operator deleted that private IP itself. */
  constructor(private readonly deletedOutOfBand: (privateIpId: string) => boolean) {}

  /** A CiliumNode as the store changed it: remembers which addresses reached the release handshake's last steps. */
  observeCiliumNode(node: string, releaseIps: Record<string, string> | undefined, nowMs: number): void {
    for (const [ip, status] of Object.entries(releaseIps ?? {})) {
      if (status === "ready-for-release" || status === "released") this.handshake.set(`${node}|${ip}`, nowMs);
    }
  }

  /** One snapshot: records new allocator IPs and classifies the ones gone since the previous snapshot. */
  observeWorld(world: WorldView, nowMs: number): Array<{ id: string; how: Disappearance }> {
    const present = new Set<string>();
    const vnics = new Map(world.vnics.map((v) => [v.id, v]));
    const instances = new Map(world.instances.map((i) => [i.id, i.lifecycleState]));
    for (const ip of world.privateIps) {
      if (ip.isPrimary || ip.freeformTags["ocipam-cluster"] !== CLUSTER_TAG) continue;
      present.add(ip.id);
      if (this.seen.has(ip.id)) continue;
      const instanceId = vnics.get(ip.vnicId)?.instanceId;
      const node = ip.freeformTags["ocipam-node"];
      this.seen.set(ip.id, { ipAddress: ip.ipAddress, vnicId: ip.vnicId, node, instanceId, firstSeenMs: nowMs });
    }
    const gone: Array<{ id: string; how: Disappearance }> = [];
    for (const [id, ip] of this.seen) {
      if (present.has(id)) continue;
      this.seen.delete(id);
      const vnic = vnics.get(ip.vnicId);
      const instanceState = instances.get(vnic?.instanceId ?? ip.instanceId ?? "");
      const handshakeAt = ip.node === undefined ? undefined : this.handshake.get(`${ip.node}|${ip.ipAddress}`);
      const released = handshakeAt !== undefined && handshakeAt >= ip.firstSeenMs;
      const how: Disappearance = this.deletedOutOfBand(id)
        ? "out-of-band"
        : instanceState === undefined || instanceState === "TERMINATING" || instanceState === "TERMINATED"
          ? "with-instance"
          : vnic?.lifecycleState !== "AVAILABLE"
            ? "with-vnic"
            : released
              ? "release"
              : "collector";
      this.counts[how]++;
      this.log.push({ atSimS: (nowMs - this.originMs) / 1000, node: ip.node, ip: ip.ipAddress, how });
      gone.push({ id, how });
    }
    return gone;
  }
}
