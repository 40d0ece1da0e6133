import type { AllocationIp, ReleaseStatus } from "../../../core/model";

/** The parts of a CiliumNode the agent reads and writes (Cilium's JSON names). */
export interface AgentNodeView {
  pool: Record<string, AllocationIp>;
  releaseIps: Record<string, ReleaseStatus>;
}

/**
 * What Cilium's agent in `ipam: crd` mode keeps locally and how it answers the operator, reproduced from
 * cilium/cilium `pkg/ipam/crd.go` (nodeStore.updateLocalNodeResource, allocateNext, isIPInReleaseHandshake,
 * refreshNode). Pure: the caller feeds it the CiliumNode it read and writes back what it returns.
 */
export class AgentState {
  /** IP → {owner "ns/pod", resource}: what the agent publishes as status.ipam.used. */
  readonly allocated = new Map<string, AllocationIp>();

  /**
   * Answers the release handshake for every entry it has not answered yet (updateLocalNodeResource):
   * - not in the pool and `released` → the entry is removed (handshake done);
   * - not in the pool and `marked-for-release` → `do-not-release`;
   * - in the pool and `marked-for-release` → `do-not-release` if allocated locally, else `ready-for-release`.
   * Returns the new map and whether it changed (which triggers a status write).
   */
  answerReleaseHandshake(node: AgentNodeView): { releaseIps: Record<string, ReleaseStatus>; changed: boolean } {
    const next: Record<string, ReleaseStatus> = { ...node.releaseIps };
    let changed = false;
    for (const [ip, status] of Object.entries(node.releaseIps)) {
      if (status === "ready-for-release" || status === "do-not-release") continue;
      if (!(ip in node.pool)) {
        if (status === "released") {
          delete next[ip];
          changed = true;
        } else if (status === "marked-for-release") {
          next[ip] = "do-not-release";
          changed = true;
        }
        continue;
      }
      if (status !== "marked-for-release") continue;
      next[ip] = this.allocated.has(ip) ? "do-not-release" : "ready-for-release";
      changed = true;
    }
    return { releaseIps: next, changed };
  }

  /**
   * Gives `owner` an IP from the pool (allocateNext): not allocated, not in the release handshake (marked, ready or
   * released), and with an empty pool owner — or the IP pinned to this owner. Undefined when none is free.
   */
  allocateNext(node: AgentNodeView, owner: string): string | undefined {
    for (const [ip, info] of Object.entries(node.pool)) {
      if (info.owner === owner && !this.allocated.has(ip)) return this.mark(ip, owner, info);
    }
    for (const [ip, info] of Object.entries(node.pool)) {
      if (this.allocated.has(ip)) continue;
      const handshake = node.releaseIps[ip];
      if (handshake === "marked-for-release" || handshake === "ready-for-release" || handshake === "released") continue;
      if (info.owner) continue;
      return this.mark(ip, owner, info);
    }
    return undefined;
  }

  /** Frees the IP held by `owner` (a pod deleted). Returns the IP, if it had one. */
  release(owner: string): string | undefined {
    for (const [ip, info] of this.allocated) {
      if (info.owner === owner) {
        this.allocated.delete(ip);
        return ip;
      }
    }
    return undefined;
  }

  /** status.ipam.used as the agent writes it: replaced wholesale from the local allocations (refreshNode). */
  usedMap(): Record<string, AllocationIp> {
    return Object.fromEntries(this.allocated);
  }

  private mark(ip: string, owner: string, info: AllocationIp): string {
    this.allocated.set(ip, { owner, ...(info.resource ? { resource: info.resource } : {}) });
    return ip;
  }
}
