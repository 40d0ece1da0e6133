import { attachmentDisplayNamePrefix, TAG_CLUSTER, TAG_INSTANCE, TAG_NODE } from "../core/ownership";
import { blockAddresses } from "../core/blocks/cidr";
import { isBlock } from "../core/blocks/held";
import type { Reason } from "../core/model";
import type {
  Classification,
  ClusterView,
  CollectorSnapshot,
  Kept,
  Orphan,
  SeenAttachment,
  SeenInstance,
  SeenPrivateIp,
} from "./model";

/**
 * Decides, for every object of one collector pass, whether it is an orphan. Pure.
 *
 * Only objects carrying this cluster's tag are considered; everything else (untagged, another cluster's) is counted as
 * foreign and never touched. A primary IP is never considered. An IP in any node's status.ipam.used, or with a
 * release-ips entry, is never an orphan, whatever its tags say.
 *
 * A private IP belongs to a node: the node its tag names, or, without a node tag (a prewarm's), the Node whose
 * providerID names its instance tag. It is an orphan when:
 * - `NodeGone`: that node has neither a Node nor a CiliumNode any more (and no prewarm of its instance is in progress);
 * - `NotInPool`: the node's CiliumNode exists but its spec.ipam.pool does not hold the IP;
 * - `PrewarmNotJoined`: a prewarm's IP whose instance has no Node and is no longer RUNNING within the join timeout.
 * It is kept while the Node exists without its CiliumNode yet (the agent creates that), or a prewarm is in progress.
 *
 * A VNIC is an orphan (`InstanceNotANode`) when the allocator attached it (display name `ocipam:<cluster>:…`, tags of
 * this cluster, secondary), its instance is still RUNNING, no Node names that instance, and no prewarm of it is in
 * progress. A VNIC of a cluster node is never detached; a stopped or terminated instance's is left to OCI.
 */
export function classify(snapshot: CollectorSnapshot): Classification {
  const out: Classification = { orphans: [], kept: [], healthy: 0, foreign: 0 };
  const k8s = indexView(snapshot.view);
  const attachmentByVnic = new Map(snapshot.attachments.filter((a) => a.vnicId).map((a) => [a.vnicId!, a]));
  const prewarming = (instanceId: string | undefined): boolean => isPrewarming(snapshot, k8s, instanceId);

  for (const ip of snapshot.privateIps) {
    if (ip.isPrimary) continue;
    if (ip.freeformTags[TAG_CLUSTER] !== snapshot.cluster) {
      out.foreign++;
      continue;
    }
    const verdict = classifyIp(ip, k8s, attachmentByVnic, prewarming);
    if (verdict.type === "healthy") out.healthy++;
    else if (verdict.type === "orphan") out.orphans.push(verdict.orphan);
    else out.kept.push(verdict.kept);
  }

  const prefix = attachmentDisplayNamePrefix(snapshot.cluster);
  for (const a of snapshot.attachments) {
    if (!a.vnicId || a.lifecycleState !== "ATTACHED" || !a.displayName?.startsWith(prefix)) continue;
    const leftBy = formerNode(a, snapshot.cluster, k8s);
    if (k8s.nodeByInstance.has(a.instanceId) && !leftBy) {
      out.healthy++;
      continue;
    }
    const vnic = snapshot.vnics[a.vnicId];
    const keep = (code: string, message: string) =>
      out.kept.push({ kind: "vnic", id: a.id, reason: { code, message } });
    /** Keeps the VNIC (InUse) when any of its addresses is in an agent's status.ipam.used; true when it did. */
    const keptInUse = (): boolean => {
      const used = snapshot.privateIps
        .filter((ip) => ip.vnicId === a.vnicId && addressesOf(ip).some((x) => k8s.used.has(x)))
        .map((ip) => ip.ipAddress);
      if (used.length > 0) keep("InUse", `VNIC ${a.vnicId} holds IPs in status.ipam.used: ${used.join(", ")}`);
      return used.length > 0;
    };
    if (!vnic) {
      keep("VnicNotRead", `VNIC ${a.vnicId} of instance ${a.instanceId} could not be read on this pass`);
      continue;
    }
    if (vnic.isPrimary || vnic.freeformTags[TAG_CLUSTER] !== snapshot.cluster) {
      keep(
        "NotOwned",
        `VNIC ${a.vnicId} is ${vnic.isPrimary ? "a primary VNIC" : "not tagged for this cluster"}: never detached`,
      );
      continue;
    }
    if (leftBy) {
      // The instance is a node under another name now (the kubelet re-registered): this VNIC was attached for the old
      // name, which has neither a Node nor a CiliumNode. The current node never uses it (not its own), so it would hold
      // a VNIC slot for ever.
      if (vnic.freeformTags[TAG_NODE] !== leftBy) {
        keep("NotOwned", `VNIC ${a.vnicId} is named for node ${leftBy} but not tagged for it: never detached`);
        continue;
      }
      if (keptInUse()) continue;
      out.orphans.push({
        kind: "vnic",
        id: a.id,
        vnicId: a.vnicId,
        instanceId: a.instanceId,
        node: leftBy,
        reason: {
          code: "NodeGone",
          message:
            `VNIC ${a.vnicId} was attached for node ${leftBy}, which has neither a ` +
            `Node nor a CiliumNode; instance ${a.instanceId} is node ` +
            `${k8s.nodeByInstance.get(a.instanceId)} now`,
        },
      });
      continue;
    }
    const instance = snapshot.instances[a.instanceId];
    if (!instance || instance === "gone" || instance.lifecycleState !== "RUNNING") {
      keep(
        "InstanceNotRunning",
        `instance ${a.instanceId} is ` +
          `${instance === "gone" ? "gone" : (instance?.lifecycleState ?? "unknown")}: ` +
          `OCI removes its VNICs when it terminates`,
      );
      continue;
    }
    if (prewarming(a.instanceId)) {
      keep(
        "PrewarmInProgress",
        `instance ${a.instanceId} was prepared for a node that has not joined ` +
          `yet (join timeout ${snapshot.joinTimeoutSeconds} s)`,
      );
      continue;
    }
    if (keptInUse()) continue;
    out.orphans.push({
      kind: "vnic",
      id: a.id,
      vnicId: a.vnicId,
      instanceId: a.instanceId,
      ...(vnic.freeformTags[TAG_NODE] ? { node: vnic.freeformTags[TAG_NODE] } : {}),
      reason: {
        code: "InstanceNotANode",
        message:
          `instance ${a.instanceId} is running but no Node names it; the ` +
          `allocator's VNIC ${a.vnicId} is left over`,
      },
    });
  }
  return out;
}

interface IndexedView {
  nodes: Set<string>;
  nodeByInstance: Map<string, string>;
  /** Instances more than one Node names in its providerID: whose their objects are is not known. */
  contested: Set<string>;
  pools: Map<string, Set<string>>;
  handshake: Set<string>;
  used: Set<string>;
}

function indexView(view: ClusterView): IndexedView {
  const nodeByInstance = new Map<string, string>();
  const contested = new Set<string>();
  for (const n of view.nodes) {
    if (!n.instanceId) continue;
    if (nodeByInstance.has(n.instanceId)) contested.add(n.instanceId);
    nodeByInstance.set(n.instanceId, n.name);
  }
  return {
    nodes: new Set(view.nodes.map((n) => n.name)),
    nodeByInstance,
    contested,
    pools: new Map(view.ciliumNodes.map((c) => [c.name, new Set(c.pool)])),
    handshake: new Set(view.ciliumNodes.flatMap((c) => c.inHandshake)),
    used: new Set(view.ciliumNodes.flatMap((c) => c.used)),
  };
}

/** A prewarm is in progress for an instance with no Node yet that is RUNNING and younger than the join timeout. */
function isPrewarming(snapshot: CollectorSnapshot, k8s: IndexedView, instanceId: string | undefined): boolean {
  if (!snapshot.prewarmEnabled || !instanceId || k8s.nodeByInstance.has(instanceId)) return false;
  const instance: SeenInstance | undefined = snapshot.instances[instanceId];
  if (!instance || instance === "gone" || instance.lifecycleState !== "RUNNING" || !instance.timeCreated) return false;
  const age = (Date.parse(snapshot.now) - Date.parse(instance.timeCreated)) / 1000;
  return age < snapshot.joinTimeoutSeconds;
}

type IpVerdict = { type: "healthy" } | { type: "orphan"; orphan: Orphan } | { type: "kept"; kept: Kept };

function classifyIp(
  ip: SeenPrivateIp,
  k8s: IndexedView,
  attachmentByVnic: Map<string, SeenAttachment>,
  prewarming: (instanceId: string | undefined) => boolean,
): IpVerdict {
  const keep = (code: string, message: string): IpVerdict => ({
    type: "kept",
    kept: { kind: "privateIp", id: ip.id, ipAddress: ip.ipAddress, reason: { code, message } },
  });
  // An IP CIDR address is one object for a whole block: every one of its addresses counts.
  const addresses = isBlock(ip) ? blockAddresses(ip.ipAddress, ip.cidrPrefixLength!) : [ip.ipAddress];
  const inUse = addresses.find((a) => k8s.used.has(a));
  if (inUse)
    return keep(
      "InUse",
      `${inUse}${addresses.length > 1 ? ` (block ${ip.ipAddress}/${ip.cidrPrefixLength})` : ""} is in status.ipam.used`,
    );
  const inHandshake = addresses.find((a) => k8s.handshake.has(a));
  if (inHandshake) return keep("InReleaseHandshake", `${inHandshake} has a status.ipam.release-ips entry`);

  const taggedNode = ip.freeformTags[TAG_NODE] || undefined;
  const taggedInstance = ip.freeformTags[TAG_INSTANCE] || undefined;
  const instanceId = taggedInstance ?? (ip.vnicId ? attachmentByVnic.get(ip.vnicId)?.instanceId : undefined);
  const node = taggedNode ?? (taggedInstance ? k8s.nodeByInstance.get(taggedInstance) : undefined);
  const orphan = (reason: Reason): IpVerdict => ({
    type: "orphan",
    orphan: {
      kind: "privateIp",
      id: ip.id,
      ipAddress: ip.ipAddress,
      ...(ip.vnicId ? { vnicId: ip.vnicId } : {}),
      ...(node ? { node } : {}),
      ...(instanceId ? { instanceId } : {}),
      reason,
    },
  });

  if (!taggedNode && !taggedInstance)
    return keep("NoOwnerTag", `${ip.ipAddress} carries the cluster tag but neither a node nor an instance tag`);
  if (!taggedNode && k8s.contested.has(taggedInstance!)) {
    return keep(
      "InstanceNamedByTwoNodes",
      `${ip.ipAddress} was prepared on instance ${taggedInstance}, which ` +
        `more than one Node names: its owner is not known`,
    );
  }
  if (!node) {
    // A prewarm's IP whose instance has no Node (yet).
    if (prewarming(taggedInstance))
      return keep(
        "PrewarmInProgress",
        `${ip.ipAddress} was prepared on instance ${taggedInstance} for a node that has not joined yet`,
      );
    return orphan({
      code: "PrewarmNotJoined",
      message:
        `${ip.ipAddress} was prepared on instance ${taggedInstance}, which no ` +
        `Node names and which is past its join timeout or not running`,
    });
  }
  const pool = k8s.pools.get(node);
  // A block of a node that exists is the allocator's to manage: its unoffered addresses are held on purpose, and
  // the allocator deletes the block itself once none of its addresses is offered or used.
  if (pool && isBlock(ip)) return { type: "healthy" };
  if (pool)
    return pool.has(ip.ipAddress)
      ? { type: "healthy" }
      : orphan({
          code: "NotInPool",
          message: `${ip.ipAddress} is tagged for node ${node} but is not in its spec.ipam.pool`,
        });
  if (k8s.nodes.has(node)) return keep("AwaitingCiliumNode", `node ${node} exists but has no CiliumNode yet`);
  if (prewarming(instanceId))
    return keep(
      "PrewarmInProgress",
      `${ip.ipAddress}'s instance ${instanceId} is being prepared for a node that has not joined yet`,
    );
  return orphan({
    code: "NodeGone",
    message: `${ip.ipAddress} is tagged for node ${node}, which has neither a Node nor a CiliumNode`,
  });
}

/**
 * Instances a pass must read (GetInstance) to classify: those of prewarm IPs with no Node, of IPs whose node is gone,
 * and of allocator-named attachments whose instance is no Node. Everything else is decided from lists alone.
 */
export function instancesToRead(snapshot: Omit<CollectorSnapshot, "instances" | "vnics">): string[] {
  const k8s = indexView(snapshot.view);
  const attachmentByVnic = new Map(snapshot.attachments.filter((a) => a.vnicId).map((a) => [a.vnicId!, a]));
  const ids = new Set<string>();
  for (const ip of snapshot.privateIps) {
    if (ip.isPrimary || ip.freeformTags[TAG_CLUSTER] !== snapshot.cluster) continue;
    const taggedNode = ip.freeformTags[TAG_NODE] || undefined;
    const instanceId =
      ip.freeformTags[TAG_INSTANCE] || (ip.vnicId ? attachmentByVnic.get(ip.vnicId)?.instanceId : undefined);
    if (!instanceId || k8s.nodeByInstance.has(instanceId)) continue;
    if (taggedNode && (k8s.pools.has(taggedNode) || k8s.nodes.has(taggedNode))) continue;
    if (snapshot.prewarmEnabled) ids.add(instanceId);
  }
  for (const a of vnicCandidates(snapshot)) ids.add(a.instanceId);
  return [...ids].sort();
}

/**
 * Attachments the allocator made (by display name), ATTACHED, whose VNICs must be read: those on instances no Node
 * names, and those named for a node that is gone on an instance that is another node now.
 */
export function vnicCandidates(
  snapshot: Pick<CollectorSnapshot, "attachments" | "cluster" | "view">,
): SeenAttachment[] {
  const k8s = indexView(snapshot.view);
  const prefix = attachmentDisplayNamePrefix(snapshot.cluster);
  return snapshot.attachments.filter(
    (a) =>
      a.vnicId &&
      a.lifecycleState === "ATTACHED" &&
      a.displayName?.startsWith(prefix) &&
      (!k8s.nodeByInstance.has(a.instanceId) || formerNode(a, snapshot.cluster, k8s) !== undefined),
  );
}

/**
 * The node an allocator attachment was made for (`ocipam:<cluster>:<node>`), when that node is gone (no Node, no
 * CiliumNode) and the instance is now another node; undefined otherwise (a prewarm's `instance:` name included).
 */
function formerNode(a: SeenAttachment, cluster: string, k8s: IndexedView): string | undefined {
  const named = a.displayName?.slice(attachmentDisplayNamePrefix(cluster).length);
  const current = k8s.nodeByInstance.get(a.instanceId);
  if (!named || named.includes(":") || !current || named === current) return undefined;
  return k8s.nodes.has(named) || k8s.pools.has(named) ? undefined : named;
}

/** Every address a private-IP object holds: one, or a whole IP CIDR block. */
function addressesOf(ip: SeenPrivateIp): string[] {
  return isBlock(ip) ? blockAddresses(ip.ipAddress, ip.cidrPrefixLength!) : [ip.ipAddress];
}
