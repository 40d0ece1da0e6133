import type { AllocatorConfig } from "../config/allocator-config";
import type { Log } from "../log";
import type { CiliumNodes, IpamRecords, KubeEvents, KubeNodes, NodeLocks, Pods } from "../ports/kube";
import type { OciCompute, OciNetwork } from "../ports/oci";

/** Everything the reconcile use case needs, built once per process by a composition function. */
export interface ReconcileDeps {
  compute: OciCompute;
  network: OciNetwork;
  ciliumNodes: CiliumNodes;
  nodes: KubeNodes;
  pods: Pods;
  locks: NodeLocks;
  records: IpamRecords;
  events: KubeEvents;
  config: AllocatorConfig;
  log: Log;
  /** Injected so tests and simulations control time. */
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}
