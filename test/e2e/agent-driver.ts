import type { AllocationIp, ReleaseStatus } from "../../lib/core/model";
import { AgentState } from "../../lib/testbed/local/cilium-agent/agent-state";
import type { LocalCluster } from "../../lib/testbed/local/local-cluster";

interface CiliumNodeObject {
  metadata: { name: string; resourceVersion?: string };
  spec?: { ipam?: { pool?: Record<string, AllocationIp> } };
  status?: { ipam?: { used?: Record<string, AllocationIp>; "release-ips"?: Record<string, ReleaseStatus> } };
}

/**
 * Cilium's agent for one node, stepped by the test: the decisions are AgentState's (the agent's own rules from
 * pkg/ipam/crd.go: which IP a pod gets, how it answers the release handshake), and `sync()` is its UpdateStatus
 * (status.ipam.used replaced wholesale plus its handshake answers, guarded by resourceVersion, retried on a conflict).
 * Between two syncs the agent's allocations are local only, exactly the window in which the real agent (which writes
 * at most every 15 s) answers do-not-release for an IP the allocator believed free.
 */
export class AgentDriver {
  readonly state = new AgentState();
  statusWrites = 0;

  constructor(
    private readonly cluster: LocalCluster,
    readonly node: string,
  ) {}

  private read(): CiliumNodeObject {
    const cn = this.cluster.kube.store.get("ciliumnodes", this.node) as CiliumNodeObject | undefined;
    if (!cn) throw new Error(`CiliumNode ${this.node} not found`);
    return cn;
  }

  private view(cn: CiliumNodeObject) {
    return { pool: cn.spec?.ipam?.pool ?? {}, releaseIps: cn.status?.ipam?.["release-ips"] ?? {} };
  }

  /** A pod starts: it gets a pool IP now (allocateNext), known only locally until the next sync. */
  allocate(owner: string): string {
    const ip = this.state.allocateNext(this.view(this.read()), owner);
    if (!ip) throw new Error(`no free pool IP for ${owner} on ${this.node}`);
    return ip;
  }

  /** The boot-time router and health IPs the agent takes first, then `pods` pods; returns their IPs. */
  boot(pods = 0): string[] {
    return ["router", "health", ...Array.from({ length: pods }, (_, i) => `default/boot-${i}`)].map((o) =>
      this.allocate(o),
    );
  }

  /** A pod is deleted: its IP is free again locally. */
  free(owner: string): void {
    this.state.release(owner);
  }

  /** One agent status update: answer the handshake on the latest CiliumNode and write used + release-ips. */
  sync(): { answered: Record<string, ReleaseStatus> } {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cn = this.read();
      const answer = this.state.answerReleaseHandshake(this.view(cn));
      try {
        this.cluster.kube.store.updateStatus("ciliumnodes", {
          ...cn,
          status: {
            ...cn.status,
            ipam: { ...cn.status?.ipam, used: this.state.usedMap(), "release-ips": answer.releaseIps },
          },
        } as never);
        this.statusWrites++;
        return { answered: answer.releaseIps };
      } catch (err) {
        if ((err as { status?: { code?: number } }).status?.code !== 409 && (err as { code?: number }).code !== 409)
          throw err;
      }
    }
    throw new Error(`agent of ${this.node}: status write kept conflicting`);
  }

  /** IPs the agent has handed out (what status.ipam.used says after a sync). */
  usedIps(): string[] {
    return [...this.state.allocated.keys()];
  }
}
