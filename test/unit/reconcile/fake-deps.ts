import { loadAllocatorConfig } from "../../../lib/config/allocator-config";
import type { AllocationIp, ObservedState, ReleaseStatus } from "../../../lib/core/model";
import { silentLogger } from "../../../lib/log";
import type { CiliumNodeView } from "../../../lib/ports/kube";
import { KubeConflictError } from "../../../lib/ports/kube-errors";
import type { PrivateIpInfo, VnicInfo } from "../../../lib/ports/oci";
import { OciApiError } from "../../../lib/ports/oci-errors";
import type { ReconcileDeps } from "../../../lib/reconcile/deps";
import type { Observation } from "../../../lib/reconcile/observe";

export const MINIMAL_CONFIG = {
  OCIPAM_CLUSTER_NAME: "c1",
  OCIPAM_COMPARTMENT_IDS: "ocid1.compartment.oc1..c",
  OCIPAM_VCN_ID: "ocid1.vcn.oc1..vcn",
  OCIPAM_KUBE_AUTH: "token",
  OCIPAM_KUBE_API_SERVER: "https://127.0.0.1:6443",
  OCIPAM_KUBE_TOKEN: "t",
};

/** In-memory ports recording what the executor asked for; each may be told to fail. */
export class FakeWorld {
  readonly writes: Array<
    { kind: "pool"; pool: Record<string, AllocationIp> } | { kind: "status"; releaseIps: Record<string, ReleaseStatus> }
  > = [];
  readonly deleted: string[] = [];
  /** Addresses OCI hands out to CreatePrivateIp, in order. */
  nextAddresses: string[] = [];
  conflictOn: "pool" | "status" | undefined;
  failDeleteOf = new Set<string>();
  /** Re-tag calls (UpdatePrivateIp / UpdateVnic) in order, with the tags sent. */
  readonly retagged: Array<{ kind: "privateIp" | "vnic"; id: string; freeformTags: Record<string, string> }> = [];
  /** Freeform tags per IP or VNIC id as the fake OCI holds them after re-tagging. */
  readonly tagsOf = new Map<string, Record<string, string>>();
  private rv = 1;

  deps(overrides: Record<string, string> = {}): ReconcileDeps {
    const world = this;
    const fail = () => Promise.reject(new Error("not used by this test"));
    return {
      compute: {
        getInstance: fail,
        listVnicAttachments: fail,
        getVnicAttachment: fail,
        attachVnic: fail,
        detachVnic: fail,
      } as unknown as ReconcileDeps["compute"],
      network: {
        getVnic: fail,
        listPrivateIps: fail,
        listSubnets: fail,
        countAssignedIps: fail,
        listNetworkSecurityGroups: fail,
        async createPrivateIp(request: { vnicId: string }) {
          const ipAddress = world.nextAddresses.shift();
          if (!ipAddress)
            throw new OciApiError("CreatePrivateIp", "subnet full", { statusCode: 400, serviceCode: "LimitExceeded" });
          const value: PrivateIpInfo = {
            id: `ocid1.privateip.oc1..${ipAddress}`,
            ipAddress,
            vnicId: request.vnicId,
            subnetId: "s",
            isPrimary: false,
            freeformTags: {},
          };
          return { value, opcRequestId: "req" };
        },
        async updatePrivateIpTags(id: string, freeformTags: Record<string, string>) {
          world.retagged.push({ kind: "privateIp", id, freeformTags: { ...freeformTags } });
          world.tagsOf.set(id, { ...freeformTags });
          const ipAddress = id.replace(/^.*\.\./, "");
          const value: PrivateIpInfo = {
            id,
            ipAddress,
            subnetId: "s",
            isPrimary: false,
            freeformTags: { ...freeformTags },
          };
          return { value, opcRequestId: "req" };
        },
        async updateVnicTags(id: string, freeformTags: Record<string, string>) {
          world.retagged.push({ kind: "vnic", id, freeformTags: { ...freeformTags } });
          world.tagsOf.set(id, { ...freeformTags });
          const value: VnicInfo = {
            id,
            isPrimary: false,
            subnetId: "s",
            nsgIds: [],
            freeformTags: { ...freeformTags },
            lifecycleState: "AVAILABLE",
          };
          return { value, opcRequestId: "req" };
        },
        async deletePrivateIp(id: string) {
          if (world.failDeleteOf.has(id)) throw new OciApiError("DeletePrivateIp", "boom", { statusCode: 500 });
          world.deleted.push(id);
          return { value: undefined };
        },
      } as unknown as ReconcileDeps["network"],
      ciliumNodes: {
        get: fail,
        list: fail,
        async writeReleaseStatus(_name: string, _rv: string, next: Record<string, ReleaseStatus>) {
          if (world.conflictOn === "status")
            throw new KubeConflictError("patch", "conflict", { code: 409, statusReason: "Conflict" });
          world.writes.push({ kind: "status", releaseIps: next });
          return String(++world.rv);
        },
        async writePool(_name: string, _rv: string, pool: Record<string, AllocationIp>) {
          if (world.conflictOn === "pool")
            throw new KubeConflictError("patch", "conflict", { code: 409, statusReason: "Conflict" });
          world.writes.push({ kind: "pool", pool });
          return String(++world.rv);
        },
      } as unknown as ReconcileDeps["ciliumNodes"],
      nodes: { get: fail, findByInstanceId: fail } as unknown as ReconcileDeps["nodes"],
      pods: { countPending: fail } as unknown as ReconcileDeps["pods"],
      locks: { tryAcquire: fail } as unknown as ReconcileDeps["locks"],
      records: { get: fail, save: fail, remove: fail } as unknown as ReconcileDeps["records"],
      events: { record: async () => undefined },
      config: loadAllocatorConfig({ ...MINIMAL_CONFIG, ...overrides }),
      log: silentLogger(),
      now: () => new Date("2026-11-28T00:00:00Z"),
      sleep: async () => undefined,
    };
  }
}

/** An Observation around a planner observation (what observeNode returns). */
export function observationOf(observed: ObservedState): Observation {
  const ciliumNode: CiliumNodeView = {
    name: observed.ciliumNode.name,
    uid: "uid",
    resourceVersion: "1",
    ipam: observed.ciliumNode,
  };
  const instance = { ...observed.instance, displayName: "w1", freeformTags: {} };
  return { kind: "observed", observed, ciliumNode, instance, record: undefined, vnicDetails: new Map(), subnets: [] };
}
