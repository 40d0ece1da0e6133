import { type LatencyProfile, REALISTIC_LATENCY, requestLatency } from "../../lib/testbed/oci-emulator/latency";

/**
 * The lower bound the benchmark compares with: the sum of the latencies that no implementation of the design can
 * avoid on the way from "a CiliumNode needs IPs" to "its pool holds them", in the order they must happen (the
 * critical path of the design): put the nudge on the stream → Connector Hub batch window → function start → two
 * sequential
 * reads (the instance's VNIC attachments, then the VNIC's private IPs) → one round of parallel creates → one
 * Kubernetes write. With a new VNIC: + the attach. Values are the design's latency table — the OCI ones as the
 * emulator models them (lib/testbed/oci-emulator/latency.ts), the others below.
 */

/** Steps of the design's latency table that the OCI emulator does not model. */
export const DESIGN_LATENCY_MS = {
  /** Connector Hub `batchTimeInSec` as the project configures it (1 s). */
  connectorBatchWindow: 1000,
  /** OCI Functions: warm invocation 50 ms, cold start 3 s ("several seconds", provisioned-concurrency docs). */
  functionWarmStart: 50,
  functionColdStart: 3000,
  /** One Kubernetes API write. */
  kubeWrite: 10,
} as const;

export interface PathStep {
  step: string;
  ms: number;
}

export interface CriticalPath {
  steps: PathStep[];
  totalMs: number;
}

export interface CriticalPathOptions {
  profile?: LatencyProfile;
  /** The Connector Hub batch window the run uses (ms). */
  batchWindowMs?: number;
  /** Cold function start instead of a warm one. */
  cold?: boolean;
  /** The node needs a new VNIC first (its existing ones are full). */
  newVnic?: boolean;
  /**
   * How the IPs are created: "parallel" = one round of concurrent CreatePrivateIp (the design); a number n = n
   * CreatePrivateIp one after another (the sequential baseline's own bound for n IPs).
   */
  creates?: "parallel" | number;
}

/**
 * The steps and their sum, for one node, under `options` (default: warm, parallel creates, room on the primary VNIC).
 */
export function criticalPath(options: CriticalPathOptions = {}): CriticalPath {
  const profile = options.profile ?? REALISTIC_LATENCY;
  const read = requestLatency(profile, "ListVnicAttachments", "GET");
  const create = requestLatency(profile, "CreatePrivateIp", "POST");
  const creates = options.creates ?? "parallel";
  const steps: PathStep[] = [
    { step: "PutMessages (watcher → stream)", ms: requestLatency(profile, "PutMessages", "POST") },
    { step: "Connector Hub batch window", ms: options.batchWindowMs ?? DESIGN_LATENCY_MS.connectorBatchWindow },
    {
      step: options.cold ? "function cold start" : "function warm start",
      ms: options.cold ? DESIGN_LATENCY_MS.functionColdStart : DESIGN_LATENCY_MS.functionWarmStart,
    },
    { step: "read: VNIC attachments of the instance", ms: read },
    { step: "read: private IPs of the VNIC", ms: read },
  ];
  if (options.newVnic) {
    steps.push({ step: "AttachVnic request", ms: requestLatency(profile, "AttachVnic", "POST") });
    steps.push({ step: "VNIC ATTACHING → ATTACHED", ms: profile.vnicAttach });
  }
  if (creates === "parallel") steps.push({ step: "one round of parallel CreatePrivateIp", ms: create });
  else steps.push({ step: `${creates} CreatePrivateIp one after another`, ms: create * creates });
  steps.push({ step: "Kubernetes write (spec.ipam.pool)", ms: DESIGN_LATENCY_MS.kubeWrite });
  return { steps, totalMs: steps.reduce((a, s) => a + s.ms, 0) };
}
