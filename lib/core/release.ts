import { DateTime } from "luxon";
import type {
  MarkForReleaseAction,
  ObservedState,
  Reason,
  ReleaseIpsAction,
  ReleaseStatus,
  WriteReleaseStatusAction,
} from "./model";
import { blockAddresses } from "./blocks/cidr";
import { heldBlocks, isBlock } from "./blocks/held";
import { compareIpv4, rebuildPool, usableVnics } from "./pool";
import { isOwnedSecondaryIp } from "./ownership";

export interface ReleasePlan {
  actions: Array<MarkForReleaseAction | ReleaseIpsAction | WriteReleaseStatusAction>;
  releaseFirstSeen: Record<string, string>;
  decisions: Reason[];
}

/**
 * Cilium's excess-IP release handshake (`pkg/ipam/node.go` handleIPRelease, handleIPReleaseResponse,
 * abortNoLongerExcessIPs; the agent side in crd.go updateLocalNodeResource), as a pure step:
 * 1. candidates: up to `excess` free IPs on the ONE usable VNIC with the most free allocator-owned IPs
 *    (free = in the pool and not in status.ipam.used; never a primary IP, never an IP another party created);
 * 2. a candidate is written `marked-for-release` once it has stayed a candidate for the whole release delay;
 * 3. the agent answers `ready-for-release` or `do-not-release`; only `ready` IPs are deleted in OCI, then written
 *    `released` (the executor downgrades any whose delete failed), and they leave the pool afterwards; an address of
 *    an IP CIDR block is not an OCI object: `ready` makes it `released` with no delete, it leaves the pool and stays
 *    held in the block, and the block itself is deleted once none of its addresses is offered or used (planner);
 * 4. an entry that is no longer a candidate is aborted (dropped), except `released`, which the agent removes;
 *    `do-not-release` is dropped and its delay starts again.
 */
export function planRelease(observed: ObservedState, excess: number, releaseEnabled: boolean): ReleasePlan {
  const decisions: Reason[] = [];
  const { ciliumNode: node, config } = observed;
  const now = DateTime.fromISO(observed.now, { zone: "utc" });
  const candidates = releaseEnabled && excess > 0 ? pickCandidates(observed, excess) : undefined;
  const candidateSet = new Set(candidates?.ips.map((c) => c.ipAddress) ?? []);
  if (candidates) {
    decisions.push({
      code: "ReleaseCandidates",
      message:
        `${candidates.ips.length} of ${excess} excess IPs are candidates on ` +
        `VNIC ${candidates.vnicId}, the one with the most free IPs`,
    });
  }

  const firstSeen: Record<string, string> = {};
  for (const ip of candidateSet) firstSeen[ip] = observed.releaseFirstSeen[ip] ?? observed.now;

  const current = node.releaseIps;
  const next: Record<string, ReleaseStatus> = {};
  const toDelete: Array<{ ipAddress: string; privateIpId: string }> = [];
  // Single-address objects only: a block's first address is its object's ipAddress but never deleted on its own.
  const existing = new Set(
    observed.vnics.flatMap((v) => v.privateIps.filter((p) => !isBlock(p)).map((p) => p.ipAddress)),
  );
  const inBlocks = new Set(
    observed.vnics.flatMap((v) =>
      v.privateIps.filter(isBlock).flatMap((p) => blockAddresses(p.ipAddress, p.cidrPrefixLength!)),
    ),
  );
  for (const [ip, status] of Object.entries(current)) {
    if (status === "ready-for-release" && inBlocks.has(ip) && candidateSet.has(ip)) {
      if (node.used[ip]) {
        decisions.push({
          code: "ReleaseRefusedInUse",
          message: `${ip} is ready-for-release but in status.ipam.used: not released`,
        });
        continue;
      }
      // Leaves the pool; the block keeps it, unoffered, until the whole block can go.
      next[ip] = "released";
      continue;
    }
    if (status === "ready-for-release" && !existing.has(ip) && !inBlocks.has(ip)) {
      // Deleted in OCI by an earlier run whose status write lost a conflict: finish the handshake.
      next[ip] = "released";
      decisions.push({ code: "ReleaseCompleted", message: `${ip} is already deleted in OCI: written released` });
      continue;
    }
    if (status === "released") {
      next[ip] = status; // the agent removes it once the IP has left the pool
      continue;
    }
    if (!candidateSet.has(ip)) {
      decisions.push({
        code: "ReleaseAborted",
        message: `${ip} is no longer an excess candidate: its ${status} entry is dropped`,
      });
      continue;
    }
    if (status === "do-not-release") {
      firstSeen[ip] = observed.now;
      decisions.push({
        code: "ReleaseRefused",
        message: `the agent answered do-not-release for ${ip}: kept, its release delay starts again`,
      });
      continue;
    }
    if (status === "ready-for-release") {
      if (node.used[ip]) {
        decisions.push({
          code: "ReleaseRefusedInUse",
          message: `${ip} is ready-for-release but in status.ipam.used: not released`,
        });
        continue;
      }
      const candidate = candidates!.ips.find((c) => c.ipAddress === ip)!;
      toDelete.push(candidate);
      next[ip] = "released";
      continue;
    }
    next[ip] = status;
  }
  const toMark: string[] = [];
  for (const ip of candidateSet) {
    if (ip in current) continue;
    const since = DateTime.fromISO(firstSeen[ip]!, { zone: "utc" });
    const waited = now.diff(since, "seconds").seconds;
    if (waited >= config.excessIpReleaseDelaySeconds) {
      next[ip] = "marked-for-release";
      toMark.push(ip);
    }
  }

  const actions: ReleasePlan["actions"] = [];
  if (toDelete.length > 0 && candidates) {
    actions.push({
      kind: "releaseIps",
      vnicId: candidates.vnicId,
      ips: toDelete,
      reason: {
        code: "ReleaseReadyIps",
        message: `the agent answered ready-for-release for ${toDelete.map((d) => d.ipAddress).join(", ")}`,
      },
    });
  }
  if (toMark.length > 0 && candidates) {
    actions.push({
      kind: "markForRelease",
      vnicId: candidates.vnicId,
      ips: toMark,
      reason: {
        code: "MarkExcessIps",
        message: `${toMark.join(", ")} stayed excess for ${config.excessIpReleaseDelaySeconds} s`,
      },
    });
  } else if (candidateSet.size > 0) {
    const waiting = [...candidateSet].filter((ip) => !(ip in current)).length;
    if (waiting > 0)
      decisions.push({
        code: "ReleaseDelay",
        message: `${waiting} candidates wait for the ${config.excessIpReleaseDelaySeconds} s release delay`,
      });
  }
  if (!sameMap(current, next)) {
    actions.push({
      kind: "writeReleaseStatus",
      releaseIps: next,
      reason: { code: "ReleaseHandshake", message: "status.ipam.release-ips changes (written before the pool)" },
    });
  }
  return { actions, releaseFirstSeen: firstSeen, decisions };
}

/**
 * The VNIC with the most free offered addresses, and up to `excess` of them: single addresses first (by address),
 * then addresses of its IP CIDR blocks, the block with the fewest used addresses first, so that blocks empty and can
 * be deleted whole. A block address carries its block's OCID but is never deleted by itself (see planRelease).
 */
function pickCandidates(
  observed: ObservedState,
  excess: number,
): { vnicId: string; ips: Array<{ ipAddress: string; privateIpId: string }> } | undefined {
  const node = observed.ciliumNode;
  const pool = rebuildPool(observed);
  let best: { vnicId: string; ips: Array<{ ipAddress: string; privateIpId: string }> } | undefined;
  for (const vnic of usableVnics(observed)) {
    const free = vnic.privateIps
      .filter(
        (ip) =>
          !isBlock(ip) &&
          isOwnedSecondaryIp(ip, observed.config, node.name, observed.instance.id) &&
          !node.used[ip.ipAddress] &&
          node.releaseIps[ip.ipAddress] !== "released",
      )
      .map((ip) => ({ ipAddress: ip.ipAddress, privateIpId: ip.id }))
      .sort((a, b) => compareIpv4(a.ipAddress, b.ipAddress));
    const blocks = heldBlocks(observed, [vnic]).map((b) => ({
      b,
      usedCount: b.addresses.filter((a) => node.used[a]).length,
    }));
    blocks.sort((x, y) => x.usedCount - y.usedCount || compareIpv4(x.b.ipAddress, y.b.ipAddress));
    for (const { b } of blocks) {
      for (const a of b.addresses) {
        if (pool[a] !== undefined && !node.used[a] && node.releaseIps[a] !== "released")
          free.push({ ipAddress: a, privateIpId: b.privateIpId });
      }
    }
    if (free.length > (best?.ips.length ?? 0)) best = { vnicId: vnic.vnicId, ips: free };
  }
  if (best) best.ips = best.ips.slice(0, excess);
  return best;
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
