import type { SafetyCheck } from "./safety";

/** What the verdict needs to know about one node at the end of a run. */
export interface NodeAtEnd {
  node: string;
  /** Pods scheduled on the node that have no address. */
  podsWaiting: number;
  /** The allocator's record: state and reason code (e.g. AtCapacity / VnicSlotsExhausted). */
  state: string;
  reason: string;
  /** VNICs on the instance (primary included) and the VNIC slots its shape has (shapeConfig.maxVnicAttachments). */
  vnics: number;
  vnicSlots: number;
  pool: number;
  used: number;
  joinToReadyS: number | null;
}

export interface Verdict {
  ok: boolean;
  /** Why ok is false: one sentence each. Empty when ok. */
  failures: string[];
  /** True-but-notable facts: pods wait on nodes their shape cannot grow. Never makes ok false. */
  flags: string[];
  podsWaiting: number;
  /** Nodes whose shape is the limit: every VNIC slot used, nothing free in the pool, the record says so. */
  nodesAtShapeCapacity: string[];
}

/** The allocator's reason code when every VNIC slot of the shape is used and its VNICs are full (core/planner.ts). */
const SHAPE_LIMIT = "VnicSlotsExhausted";

/**
 * A node is at capacity by its shape when the allocator says so (AtCapacity, VnicSlotsExhausted) AND the emulated
 * world agrees: every VNIC slot holds a VNIC and no pool address is free. Both, so that neither a wrong record nor
 * a half-attached node passes for a full one.
 */
export function atShapeCapacity(n: NodeAtEnd): boolean {
  return n.state === "AtCapacity" && n.reason === SHAPE_LIMIT && n.vnics >= n.vnicSlots && n.pool <= n.used;
}

/**
 * Whether a local run passed. Pods waiting on a node its shape cannot grow are flagged, not failed: no allocator
 * could give them an address (the operator needs a bigger shape or fewer pods per node). Pods waiting on any other
 * node — one the allocator could still grow, or one in Error — fail the run, as do a run that did not quiesce, a
 * failed safety property and a node that never became ready.
 */
export function judgeRun(input: { quiesced: boolean; safety: SafetyCheck[]; nodes: NodeAtEnd[] }): Verdict {
  const failures: string[] = [];
  const flags: string[] = [];
  if (!input.quiesced) failures.push("the run did not quiesce");
  for (const c of input.safety) if (!c.ok) failures.push(`safety: ${c.property}`);
  const neverReady = input.nodes.filter((n) => n.joinToReadyS === null).map((n) => n.node);
  if (neverReady.length > 0) failures.push(`never ready: ${neverReady.join(", ")}`);
  const full = input.nodes.filter(atShapeCapacity);
  for (const n of input.nodes.filter((x) => x.podsWaiting > 0)) {
    const record = `${n.state}${n.reason ? ` ${n.reason}` : ""}`;
    const where = `${n.node} (${record}, ${n.vnics}/${n.vnicSlots} VNICs, pool ${n.pool}, used ${n.used})`;
    if (full.includes(n)) flags.push(`${n.podsWaiting} pods wait on ${where}: the shape holds no more`);
    else failures.push(`${n.podsWaiting} pods wait on ${where}, which could hold them`);
  }
  return {
    ok: failures.length === 0,
    failures,
    flags,
    podsWaiting: input.nodes.reduce((a, n) => a + n.podsWaiting, 0),
    nodesAtShapeCapacity: full.map((n) => n.node),
  };
}
