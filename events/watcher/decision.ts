import { calculateExcessIps, calculateNeededIps, effectivePreAllocate } from "../../lib/core/formulas";
import type { CiliumNodeIpam } from "../../lib/core/model";
import type { NodeNudgeReason, ObservedCounts } from "../contracts";
import { countIpam, type IpamCounts } from "./node-summary";

/**
 * The watcher's only judgement: does this CiliumNode need the function, and why. Pure: computed from the
 * CiliumNode alone with the same formulas as the function (lib/core/formulas.ts, Cilium pkg/ipam/node.go).
 *
 * The watcher does not know the instance shape, so max-allocate is `spec.ipam.max-allocate` or 0 (no cap), where
 * Cilium's operator would use the node maximum. A node whose pool already satisfies the watermarks is therefore
 * never nudged; a node at capacity keeps a deficit and is re-nudged once per resync interval, as Cilium's own
 * operator re-examines it on its 1-minute resync (cilium/cilium pkg/ipam/node_manager.go @19d034c,
 * the `ipam-node-interval-refresh` controller).
 */
export interface DecisionOptions {
  /** Nudge nodes with excess IPs (only useful when the function releases them: OCIPAM_RELEASE_EXCESS_IPS). */
  nudgeExcess: boolean;
}

export interface NudgeDecision {
  /** Why the node needs the function, or undefined when it needs nothing. */
  reason: NodeNudgeReason | undefined;
  observed: ObservedCounts;
}

/** Largest count the nudge schema accepts; a hostile CiliumNode must not make the builder throw. */
const MAX_COUNT = 1_000_000;

/** `len(spec.ipam.pool)`, `len(status.ipam.used)` and Cilium's needed / excess for one CiliumNode. */
export function observeCounts(ipam: CiliumNodeIpam): ObservedCounts {
  return countsFrom(countIpam(ipam));
}

/** {@link observeCounts} from the map sizes the watcher keeps (node-summary.ts). */
export function countsFrom(ipam: IpamCounts): ObservedCounts {
  const { available, used } = ipam;
  const pre = effectivePreAllocate(ipam.preAllocate);
  const min = ipam.minAllocate ?? 0;
  const max = ipam.maxAllocate ?? 0;
  const maxAbove = ipam.maxAboveWatermark ?? 0;
  return {
    available: clamp(available),
    used: clamp(used),
    needed: clamp(calculateNeededIps(available, used, pre, min, max)),
    excess: clamp(calculateExcessIps(available, used, pre, min, maxAbove)),
  };
}

/**
 * The nudge reason, by priority:
 * 1. `needs-addresses` when needed > 0 (Cilium serves deficits first: `GetNodesByIPWatermark` sorts them ahead);
 * 2. `resync` while a release handshake is in progress (`status.ipam.release-ips` not empty): the agent's answers
 *    must be acted on whatever the release setting is now (Cilium's `releaseNeeded` is true for that alone);
 * 3. `excess-addresses` when excess > 0 and `nudgeExcess` is on;
 * otherwise undefined.
 */
export function decideNudge(ipam: CiliumNodeIpam, options: DecisionOptions): NudgeDecision {
  return decideFrom(countIpam(ipam), options);
}

/** {@link decideNudge} from the map sizes the watcher keeps (node-summary.ts). */
export function decideFrom(ipam: IpamCounts, options: DecisionOptions): NudgeDecision {
  const observed = countsFrom(ipam);
  let reason: NodeNudgeReason | undefined;
  if (observed.needed > 0) reason = "needs-addresses";
  else if (ipam.releasing > 0) reason = "resync";
  else if (options.nudgeExcess && observed.excess > 0) reason = "excess-addresses";
  return { reason, observed };
}

function clamp(n: number): number {
  return Math.min(Math.max(Math.trunc(n), 0), MAX_COUNT);
}
