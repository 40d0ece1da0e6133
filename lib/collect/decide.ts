import type { CollectorDecision, CollectorLimits, Orphan } from "./model";
import type { LeakMark } from "./ports";

/**
 * Mark-then-delete, as a pure step. An orphan seen for the first time is only marked (its first-seen time stored);
 * it is deleted on a later pass, if that pass finds it orphaned again for the same reason and the grace period has
 * passed since it was first seen (a new reason restarts the grace period). So an object is never deleted on the
 * strength of one observation, and a transient state (a reconcile
 * between creating IPs and writing the pool, a node joining) has the grace period to resolve itself.
 *
 * Deletions are capped per run: VNIC detaches first (one detach frees all the VNIC's IPs), then IPs, each oldest mark
 * first; IPs on a VNIC detached in the same run are left to the detach (DetachVnic deletes the VNIC's IPs), without
 * counting against the cap. A mark of an
 * object no longer orphaned is dropped (the caller stores only `marks`). At most `maxMarks` marks are kept, oldest
 * first.
 */
export function decide(
  orphans: readonly Orphan[],
  previous: Record<string, LeakMark>,
  now: string,
  limits: CollectorLimits,
): CollectorDecision {
  const nowMs = Date.parse(now);
  // A mark counts only for the same kind of object orphaned for the same reason: an orphan whose reason changed (its
  // node came back and left again, its instance stopped being prewarmed) starts its grace period again.
  const sameMark = (o: Orphan) => previous[o.id]?.kind === o.kind && previous[o.id]!.reason === o.reason.code;
  const firstSeen = (o: Orphan) => (sameMark(o) ? previous[o.id]!.firstSeen : now);
  const ordered = [...orphans].sort(
    (a, b) =>
      Date.parse(firstSeen(a)) - Date.parse(firstSeen(b)) ||
      (a.kind === b.kind ? 0 : a.kind === "vnic" ? -1 : 1) ||
      a.id.localeCompare(b.id),
  );

  const decision: CollectorDecision = { newlyMarked: [], toDelete: [], skipped: [], marks: {} };
  let marks = 0;
  const due: Orphan[] = [];
  for (const o of ordered) {
    const known = sameMark(o);
    if (!known && marks >= limits.maxMarks) {
      decision.skipped.push({
        kind: o.kind,
        id: o.id,
        ...(o.ipAddress ? { ipAddress: o.ipAddress } : {}),
        reason: { code: "MarkLimit", message: `${limits.maxMarks} marks are kept at most; marked on a later pass` },
      });
      continue;
    }
    marks++;
    const mark: LeakMark = {
      kind: o.kind,
      firstSeen: firstSeen(o),
      reason: o.reason.code,
      ...(o.ipAddress ? { ipAddress: o.ipAddress } : {}),
      ...(o.node ? { node: o.node } : {}),
      ...(o.instanceId ? { instanceId: o.instanceId } : {}),
    };
    decision.marks[o.id] = mark;
    if (!known) {
      decision.newlyMarked.push(o);
      continue;
    }
    const waited = (nowMs - Date.parse(mark.firstSeen)) / 1000;
    if (waited >= limits.gracePeriodSeconds) due.push(o);
    else
      decision.skipped.push({
        kind: o.kind,
        id: o.id,
        ...(o.ipAddress ? { ipAddress: o.ipAddress } : {}),
        reason: {
          code: "InGracePeriod",
          message: `marked ${Math.floor(waited)} s ago; deleted once ${limits.gracePeriodSeconds} s have passed`,
        },
      });
  }

  const detached = new Set<string>();
  let budget = limits.maxDeletions;
  for (const o of due.filter((d) => d.kind === "vnic")) {
    if (budget === 0) break;
    budget--;
    decision.toDelete.push(o);
    if (o.vnicId) detached.add(o.vnicId);
  }
  for (const o of due) {
    if (decision.toDelete.includes(o)) continue;
    const skip = (code: string, message: string) =>
      decision.skipped.push({
        kind: o.kind,
        id: o.id,
        ...(o.ipAddress ? { ipAddress: o.ipAddress } : {}),
        reason: { code, message },
      });
    if (o.kind === "privateIp" && o.vnicId && detached.has(o.vnicId)) {
      skip("GoesWithVnic", `its VNIC ${o.vnicId} is detached on this pass, which deletes the IP`);
      continue;
    }
    if (budget === 0) {
      skip("DeletionCapReached", `${limits.maxDeletions} deletions per run; left for the next pass`);
      continue;
    }
    budget--;
    decision.toDelete.push(o);
  }
  return decision;
}
