import type { Log } from "../../log";
import type { CiliumNodes, IpamRecords, KubeEvents, KubeNodes, NodeLocks, Pods } from "../../ports/kube";
import { CiliumNodesAdapter } from "./cilium-nodes";
import type { KubeClients } from "./clients";
import { KubeEventsAdapter } from "./events";
import { IpamRecordsAdapter } from "./ipam-records";
import { KubeNodesAdapter } from "./kube-nodes";
import { LeaseNodeLocks } from "./lease-locks";
import { PodsAdapter } from "./pods";

export {
  createKubeClients,
  buildKubeConfig,
  requestTimeoutMiddleware,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type KubeAccess,
  type KubeClients,
  type KubeClientsOptions,
} from "./clients";
export {
  generateOkeToken,
  OkeTokenAuthenticator,
  OKE_AUTH_PROVIDER,
  OKE_TOKEN_LIFETIME_MS,
  type OkeTokenRequest,
} from "./oke-token";
export { readKubeTokenFromVault, decodeSecretBundleToken, type VaultAccess } from "./vault-token";
export { CiliumNodesAdapter, FIELD_MANAGER, MERGE_PATCH } from "./cilium-nodes";
export { CILIUM_NODES, toCiliumNodeView, poolMergePatch, releaseStatusMergePatch } from "./cilium-node-mapping";
export { KubeNodesAdapter, instanceIdFromProviderId } from "./kube-nodes";
export { PodsAdapter, pendingPodsSelector } from "./pods";
export { LeaseNodeLocks, DEFAULT_LOCK_NAMESPACE, type LeaseNodeLocksOptions } from "./lease-locks";
export { leaseNameForNode } from "./lease-name";
export { IpamRecordsAdapter } from "./ipam-records";
export { IPAM_RECORDS, IPAM_RECORD_KIND } from "./ipam-record-mapping";
export { KubeEventsAdapter, REPORTING_CONTROLLER, SOURCE_COMPONENT, type KubeEventsAdapterOptions } from "./events";
export { toKubeError } from "./errors";

/** Every Kubernetes port the allocator uses, over one set of clients. */
export interface KubeAdapters {
  ciliumNodes: CiliumNodes;
  kubeNodes: KubeNodes;
  pods: Pods;
  locks: NodeLocks;
  ipamRecords: IpamRecords;
  events: KubeEvents;
}

export interface KubeAdaptersOptions {
  /** Namespace of the per-node Leases (default ocipam-system). */
  lockNamespace?: string;
  /** Who reports Events (`reportingInstance`), e.g. the function's call id or the host. */
  reportingInstance?: string;
  clock?: () => number;
  log?: Log;
}

export function createKubeAdapters(clients: KubeClients, options: KubeAdaptersOptions = {}): KubeAdapters {
  return {
    ciliumNodes: new CiliumNodesAdapter(clients.customObjects),
    kubeNodes: new KubeNodesAdapter(clients.core),
    pods: new PodsAdapter(clients.core),
    locks: new LeaseNodeLocks(clients.coordination, {
      namespace: options.lockNamespace,
      clock: options.clock,
      log: options.log,
    }),
    ipamRecords: new IpamRecordsAdapter(clients.customObjects),
    events: new KubeEventsAdapter(clients.core, {
      reportingInstance: options.reportingInstance,
      clock: options.clock,
      log: options.log,
    }),
  };
}
