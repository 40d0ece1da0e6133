/**
 * Join → pool ready, cut into phases per node from timestamps the local pipeline already has:
 * - the Kubernetes emulator's change feed: the CiliumNode's creation, and the first version with a full pool;
 * - the stream message's `timestamp` (set by the emulated stream when PutMessages accepted it) and the moment the
 *   Connector Hub stand-in formed the batch (its `transformBatch` hook, called once before the first delivery);
 * - the function's JSON log lines: "invocation done" and the per-node reconcile line (time − durationMs is when each
 *   began), and the debug "oci call" lines (time − durationMs is when each was sent), tied to the node by the
 *   instance or VNIC they name.
 * Every phase ends at a marker and starts at the previous one, so the phases of a node add up to its join → ready
 * exactly: nothing above the bound is left unattributed. All clocks are the same machine's wall clock (time scale 1).
 */

/** The phases, in order, each with the critical-path step it corresponds to (its bound), when there is one. */
export const PHASES = [
  { key: "put", label: "watcher flush + PutMessages (created → message in the stream)", boundStep: "PutMessages" },
  { key: "poll", label: "connector poll (message in the stream → read, estimated)", boundStep: null },
  { key: "window", label: "Connector Hub batch window (read → batch sent)", boundStep: "batch window" },
  { key: "fdk", label: "FDK transport + invocation start (batch sent → handler began)", boundStep: "warm start" },
  { key: "decode", label: "decode, work mapping, queue behind other nodes (→ node reconcile began)", boundStep: null },
  {
    key: "kubeReads",
    label: "Kubernetes reads before OCI (CiliumNode, Node, Lease) (→ GetInstance sent)",
    boundStep: null,
  },
  { key: "getInstance", label: "read: GetInstance", boundStep: null },
  { key: "attachments", label: "read: ListVnicAttachments (‖ ListSubnets)", boundStep: "VNIC attachments" },
  { key: "privateIps", label: "read: GetVnic ‖ ListPrivateIps", boundStep: "private IPs of the VNIC" },
  { key: "inventory", label: "subnet inventory reads + planning (→ first CreatePrivateIp sent)", boundStep: null },
  { key: "creates", label: "CreatePrivateIp (first sent → last answered)", boundStep: "CreatePrivateIp" },
  {
    key: "poolWrite",
    label: "re-read + pool write (last create → pool ready in the store)",
    boundStep: "Kubernetes write",
  },
] as const;
export type PhaseKey = (typeof PHASES)[number]["key"];

/** What the bench collected for one node; every time is epoch ms; absent markers merge into the next phase. */
export interface NodeMarks {
  node: string;
  createdMs: number;
  readyMs: number;
  putMs?: number;
  batchSentMs?: number;
  invocationStartMs?: number;
  reconcileStartMs?: number;
  /** OCI calls of this node's first reconcile (before its pool was ready): operation, sent and answered. */
  calls: Array<{ operation: string; startMs: number; endMs: number }>;
}

/**
 * The phases of one node in ms. `batchWindowMs` is the connector's batch time: the read of the batch's first message
 * is estimated as batch sent − window (the stand-in sends a batch when that long has passed since its first read),
 * and never earlier than the message itself.
 */
export function phasesOf(m: NodeMarks, batchWindowMs: number): Record<PhaseKey, number> {
  const byOp = (op: string) => m.calls.filter((c) => c.operation === op && c.endMs <= m.readyMs);
  const creates = byOp("CreatePrivateIp");
  const firstCreate = creates.length ? Math.min(...creates.map((c) => c.startMs)) : undefined;
  const before = (op: string) => byOp(op).filter((c) => firstCreate === undefined || c.endMs <= firstCreate);
  const endOf = (op: string) => {
    const cs = before(op);
    return cs.length ? Math.max(...cs.map((c) => c.endMs)) : undefined;
  };
  const startOf = (op: string) => {
    const cs = before(op);
    return cs.length ? Math.min(...cs.map((c) => c.startMs)) : undefined;
  };
  const readEstimate =
    m.batchSentMs !== undefined && m.putMs !== undefined ? Math.max(m.putMs, m.batchSentMs - batchWindowMs) : undefined;
  const privateIpsEnd = [endOf("GetVnic"), endOf("ListPrivateIps")].filter((v): v is number => v !== undefined);
  const marks: Array<[PhaseKey, number | undefined]> = [
    ["put", m.putMs],
    ["poll", readEstimate],
    ["window", m.batchSentMs],
    ["fdk", m.invocationStartMs],
    ["decode", m.reconcileStartMs],
    ["kubeReads", startOf("GetInstance")],
    ["getInstance", endOf("GetInstance")],
    ["attachments", endOf("ListVnicAttachments")],
    ["privateIps", privateIpsEnd.length ? Math.max(...privateIpsEnd) : undefined],
    ["inventory", firstCreate],
    ["creates", creates.length ? Math.max(...creates.map((c) => c.endMs)) : undefined],
    ["poolWrite", m.readyMs],
  ];
  const out = Object.fromEntries(PHASES.map((p) => [p.key, 0])) as Record<PhaseKey, number>;
  let previous = m.createdMs;
  for (const [key, at] of marks) {
    if (at === undefined) continue; // merges into the next phase that has a marker
    const t = Math.min(Math.max(at, previous), m.readyMs);
    out[key] = t - previous;
    previous = t;
  }
  return out;
}

/** One row of the timeline table: a phase's p50 and mean over the nodes, and its bound. */
export interface PhaseRow {
  key: PhaseKey;
  label: string;
  boundMs: number;
  p50Ms: number;
  meanMs: number;
}

/**
 * p50 and mean per phase over the nodes. The means add up to the mean join → ready; `bounds` maps a critical-path
 * step name (matched by the phase's `boundStep` substring) to its ms.
 */
export function phaseTable(
  nodes: readonly NodeMarks[],
  batchWindowMs: number,
  bounds: ReadonlyArray<{ step: string; ms: number }>,
): PhaseRow[] {
  const per = nodes.map((n) => phasesOf(n, batchWindowMs));
  return PHASES.map((p) => {
    const values = per.map((v) => v[p.key]).sort((a, b) => a - b);
    const bound = p.boundStep === null ? undefined : bounds.find((b) => b.step.includes(p.boundStep));
    return {
      key: p.key,
      label: p.label,
      boundMs: bound?.ms ?? 0,
      p50Ms: values.length ? values[Math.max(0, Math.ceil(values.length / 2) - 1)]! : 0,
      meanMs: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0,
    };
  });
}

/** A function log line as the bench keeps it (pino JSON: `time` ISO or epoch ms). */
export type LogLine = Record<string, unknown>;

const timeOf = (l: LogLine): number => (typeof l.time === "number" ? l.time : Date.parse(String(l.time)));

/**
 * Fills in the function-side markers of `marks` (by node name) from the function's log lines: the invocation that
 * reconciled the node first, that reconcile's start, and the OCI calls naming the node's instance or one of its VNICs.
 */
export function marksFromLogs(
  marks: Map<string, NodeMarks>,
  lines: readonly LogLine[],
  instanceOf: (node: string) => string | undefined,
  vnicsOf: (node: string) => ReadonlySet<string>,
): void {
  const invocations = new Map<string, number>();
  for (const l of lines) {
    if (l.msg === "invocation done" && typeof l.callId === "string" && typeof l.durationMs === "number") {
      invocations.set(l.callId, timeOf(l) - l.durationMs);
    }
  }
  const byInstance = new Map<string, NodeMarks>();
  const byVnic = new Map<string, NodeMarks>();
  for (const m of marks.values()) {
    const instance = instanceOf(m.node);
    if (instance) byInstance.set(instance, m);
    for (const v of vnicsOf(m.node)) byVnic.set(v, m);
  }
  for (const l of lines) {
    const end = timeOf(l);
    if (l.action === "reconcile" && typeof l.node === "string" && typeof l.durationMs === "number") {
      const m = marks.get(l.node);
      const start = end - l.durationMs;
      // The first reconcile that began before the pool was ready is the one that filled it.
      if (m && start <= m.readyMs && (m.reconcileStartMs === undefined || start < m.reconcileStartMs)) {
        m.reconcileStartMs = start;
        const inv = typeof l.callId === "string" ? invocations.get(l.callId) : undefined;
        if (inv !== undefined) m.invocationStartMs = inv;
      }
    }
  }
  for (const l of lines) {
    if (l.msg !== "oci call" || typeof l.operation !== "string" || typeof l.durationMs !== "number") continue;
    const m =
      (typeof l.instance === "string" ? byInstance.get(l.instance) : undefined) ??
      (typeof l.vnic === "string" ? byVnic.get(l.vnic) : undefined);
    if (!m) continue;
    const endMs = timeOf(l);
    const startMs = endMs - l.durationMs;
    if (m.reconcileStartMs !== undefined && startMs < m.reconcileStartMs - 5) continue; // an earlier invocation's
    m.calls.push({ operation: l.operation, startMs, endMs });
  }
}
