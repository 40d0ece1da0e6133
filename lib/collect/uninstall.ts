import type { Reason } from "../core/model";
import { attachmentDisplayNamePrefix, TAG_CLUSTER } from "../core/ownership";
import type { CallOptions } from "../ports/oci";
import { OciApiError } from "../ports/oci-errors";
import type { ReconcileDeps } from "../reconcile/deps";
import { mapSettledLimit } from "../reconcile/map-limit";
import { runUseCase, type UseCaseResult } from "../reconcile/use-case";
import { blockAddresses } from "../core/blocks/cidr";
import { UsedAddresses } from "../reconcile/used-addresses";

const CONCURRENCY = 4;

/** One allocator-owned object of the cluster, as found by the inventory. */
export interface OwnedObject {
  kind: "vnic" | "privateIp";
  /** The attachment OCID for a VNIC (DetachVnic takes it), the private IP OCID for an IP. */
  id: string;
  vnicId?: string;
  ipAddress?: string;
  /** Set on an IP CIDR address: the object holds the block `ipAddress/cidrPrefixLength`, every address checked. */
  cidrPrefixLength?: number;
  instanceId?: string;
}

export interface UninstallReport extends UseCaseResult {
  /** removed: every object found was deleted (or, with dryRun, would be); refused: agents still use addresses. */
  outcome: "removed" | "planned" | "refused" | "failed";
  /** Nodes whose agent still reports used addresses (the reason for a refusal). */
  inUseOn: string[];
  found: OwnedObject[];
  deleted: OwnedObject[];
  failed: Array<OwnedObject & { reason: string; message: string }>;
}

/**
 * Gives back every IP and VNIC the allocator created for the cluster, once Cilium is gone: the last step of an
 * uninstall. Refuses, touching nothing, while any CiliumNode's agent still reports used addresses (pods would lose
 * theirs). Objects are found by the cluster's tags, as leak collection finds them (one paged ListPrivateIps per subnet
 * of
 * the VCN, one paged ListVnicAttachments per cluster compartment): allocator-attached secondary VNICs are detached
 * (DetachVnic deletes them with their IPs), then the remaining allocator IPs are deleted; primary VNICs and IPs, and
 * anything without this cluster's tag, are never touched. Before each delete the address is checked against every
 * CiliumNode once more. With `dryRun`, only lists what it would delete.
 */
export async function uninstallCluster(
  baseDeps: ReconcileDeps,
  options: { deadline: Date; dryRun: boolean; callId?: string },
): Promise<UninstallReport> {
  const report: UninstallReport = {
    outcome: options.dryRun ? "planned" : "removed",
    reason: { code: "NotStarted", message: "" },
    durationMs: 0,
    apiCalls: {},
    inUseOn: [],
    found: [],
    deleted: [],
    failed: [],
  };
  const logFields = () => ({
    found: report.found.length,
    deleted: report.deleted.length,
    failed: report.failed.length,
    inUseOn: report.inUseOn,
  });
  const spec = {
    action: "uninstall",
    deadline: options.deadline,
    ...(options.callId ? { callId: options.callId } : {}),
    result: report,
    logFields,
    failedOutcome: "failed" as const,
  };
  return runUseCase(baseDeps, spec, async ({ deps, budget }) => {
    const call: CallOptions = { deadline: budget.workDeadline, notFoundIsGone: true };
    const cluster = deps.config.planner.clusterName;
    const inUse = (await deps.ciliumNodes.list())
      .filter((n) => Object.keys(n.ipam.used).length > 0)
      .map((n) => n.name)
      .sort();
    if (inUse.length > 0) {
      report.outcome = "refused";
      report.inUseOn = inUse;
      report.reason = refusal(inUse);
      return;
    }
    report.found = await ownedObjects(deps, cluster, call);
    if (options.dryRun) {
      report.reason = {
        code: "Planned",
        message: `${report.found.length} allocator objects of cluster ${cluster} would be deleted`,
      };
      return;
    }
    const used = new UsedAddresses(deps.ciliumNodes, () => deps.now().getTime());
    const detached = new Set<string>();
    const remove = async (o: OwnedObject) => {
      const addresses = o.ipAddress
        ? o.cidrPrefixLength !== undefined
          ? blockAddresses(o.ipAddress, o.cidrPrefixLength)
          : [o.ipAddress]
        : [];
      for (const address of addresses) {
        if (await used.usedBy(address))
          throw new OciApiError(o.kind === "vnic" ? "DetachVnic" : "DeletePrivateIp", `${address} is in use again`, {});
      }
      try {
        if (o.kind === "vnic") await deps.compute.detachVnic(o.id, call);
        else await deps.network.deletePrivateIp(o.id, call);
      } catch (err) {
        if (!(err instanceof OciApiError && err.notFound)) throw err;
      }
    };
    const settle = async (objects: OwnedObject[]) => {
      const results = await mapSettledLimit(objects, CONCURRENCY, remove);
      results.forEach((r, i) => {
        const o = objects[i]!;
        if (r.status === "fulfilled") {
          report.deleted.push(o);
          if (o.kind === "vnic" && o.vnicId) detached.add(o.vnicId);
        } else {
          const e = r.reason instanceof OciApiError ? r.reason : undefined;
          report.failed.push({
            ...o,
            reason: e?.reason ?? "UnexpectedError",
            message: r.reason instanceof Error ? r.reason.message : String(r.reason),
          });
        }
      });
    };
    await settle(report.found.filter((o) => o.kind === "vnic"));
    // IPs on a VNIC detached above went with it (DetachVnic deletes the VNIC and its private IPs).
    await settle(report.found.filter((o) => o.kind === "privateIp" && !(o.vnicId && detached.has(o.vnicId))));
    if (report.failed.length > 0) {
      report.outcome = "failed";
      report.reason = {
        code: "DeletionsFailed",
        message: `${report.failed.length} of ${report.found.length} objects could not be deleted; run again`,
      };
    } else {
      report.reason = {
        code: "Removed",
        message: `${report.deleted.length} allocator objects of cluster ${cluster} deleted`,
      };
    }
  });
}

function refusal(nodes: string[]): Reason {
  const shown = nodes.slice(0, 10).join(", ");
  return {
    code: "AgentsStillUseAddresses",
    message:
      `Cilium's agents still report used addresses on ${nodes.length} nodes ` +
      `(${shown}${nodes.length > 10 ? ", …" : ""}): remove the workloads and ` +
      `Cilium first; nothing was deleted`,
  };
}

/**
 * The cluster's allocator objects: tagged secondary IPs in the VCN's subnets and allocator-attached secondary VNICs.
 */
async function ownedObjects(deps: ReconcileDeps, cluster: string, call: CallOptions): Promise<OwnedObject[]> {
  const { config } = deps;
  const [subnets, attachmentLists] = await Promise.all([
    deps.network.listSubnets(config.networkCompartmentId, config.planner.vcnId, call),
    Promise.all(config.compartmentIds.map((c) => deps.compute.listVnicAttachmentsInCompartment(c, call))),
  ]);
  const ipLists = await mapSettledLimit(subnets, CONCURRENCY, (s) => deps.network.listPrivateIpsInSubnet(s.id, call));
  const ips = ipLists.flatMap((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
  const prefix = attachmentDisplayNamePrefix(cluster);
  const candidates = attachmentLists
    .flat()
    .filter((a) => a.vnicId && a.lifecycleState === "ATTACHED" && a.displayName?.startsWith(prefix));
  const vnics = await mapSettledLimit(candidates, CONCURRENCY, (a) => deps.network.getVnic(a.vnicId!, call));
  const objects: OwnedObject[] = [];
  vnics.forEach((v, i) => {
    const a = candidates[i]!;
    if (v.status === "rejected") {
      if (v.reason instanceof OciApiError && v.reason.notFound) return;
      throw v.reason;
    }
    // DetachVnic refuses a primary VNIC; one not tagged for this cluster is somebody else's.
    if (v.value.isPrimary || v.value.freeformTags[TAG_CLUSTER] !== cluster) return;
    objects.push({ kind: "vnic", id: a.id, vnicId: v.value.id, instanceId: a.instanceId });
  });
  for (const ip of ips) {
    if (ip.isPrimary || ip.freeformTags[TAG_CLUSTER] !== cluster) continue;
    objects.push({
      kind: "privateIp",
      id: ip.id,
      ipAddress: ip.ipAddress,
      ...(ip.vnicId ? { vnicId: ip.vnicId } : {}),
      ...(ip.cidrPrefixLength !== undefined ? { cidrPrefixLength: ip.cidrPrefixLength } : {}),
    });
  }
  return objects;
}
