import { expect } from "chai";
import type { ReleaseStatus } from "../../lib/core/model";
import { NodeProgress, toProgressView, type ProgressView } from "../../events/watcher/node-progress";
import { WatcherMetrics } from "../../events/watcher/metrics";
import type { ListWatchEvent } from "../../events/watcher/adapters/list-watch";
import { summarizeView } from "../../events/watcher/node-summary";

const T0 = Date.parse("2026-12-04T10:00:00Z");

function pool(n: number): Record<string, { resource: string }> {
  const out: Record<string, { resource: string }> = {};
  for (let i = 0; i < n; i++) out[`10.0.0.${i + 1}`] = { resource: "ocid1.vnic.oc1..a" };
  return out;
}

interface NodeSpec {
  name?: string;
  uid?: string;
  pool?: number;
  used?: number;
  pre?: number;
  max?: number;
  /** Seconds after T0 at which the API server created the node. */
  createdS?: number;
  release?: Record<string, ReleaseStatus>;
}

function view(spec: NodeSpec): ProgressView {
  const name = spec.name ?? "worker-1";
  const p = pool(spec.pool ?? 0);
  const used: Record<string, { owner: string }> = {};
  Object.keys(p)
    .slice(0, spec.used ?? 0)
    .forEach((ip, i) => {
      used[ip] = { owner: `default/pod-${i}` };
    });
  return summarizeView({
    name,
    uid: spec.uid ?? `uid-${name}`,
    resourceVersion: "1",
    ...(spec.createdS !== undefined && { createdAtMs: T0 + spec.createdS * 1000 }),
    ipam: {
      name,
      pool: p,
      used,
      releaseIps: spec.release ?? {},
      ...(spec.pre !== undefined && { preAllocate: spec.pre }),
      ...(spec.max !== undefined && { maxAllocate: spec.max }),
    },
  });
}

/** One step of a scenario: at `atS` seconds after T0, an event (list, upsert or delete). */
type Step = { atS: number } & ({ list: NodeSpec[] } | { upsert: NodeSpec } | { delete: string });

function run(steps: Step[], stallAfterMs?: number) {
  let nowMs = T0;
  const recorded: number[] = [];
  const progress = new NodeProgress({ now: () => nowMs, stallAfterMs, onJoinToReady: (s) => recorded.push(s) });
  for (const step of steps) {
    nowMs = T0 + step.atS * 1000;
    let event: ListWatchEvent<ProgressView>;
    if ("list" in step) event = { type: "synced", items: step.list.map(view) };
    else if ("upsert" in step) event = { type: "upsert", item: view(step.upsert) };
    else event = { type: "delete", name: step.delete };
    progress.apply(event);
  }
  return { recorded, progress, setNow: (s: number) => (nowMs = T0 + s * 1000) };
}

describe("watcher node progress: join → ready SLI", () => {
  const rows: Array<{ name: string; steps: Step[]; recorded: number[] }> = [
    {
      name: "records the seconds from creation to the first event whose pool holds pre-allocate (default 8) IPs",
      steps: [
        { atS: 1, list: [] },
        { atS: 2, upsert: { createdS: 2 } },
        { atS: 9, upsert: { createdS: 2, pool: 4 } },
        { atS: 14, upsert: { createdS: 2, pool: 8 } },
      ],
      recorded: [12],
    },
    {
      name: "does not record a node that was already ready in the first list (its ready moment is unknown)",
      steps: [
        { atS: 500, list: [{ createdS: 0, pool: 8 }] },
        { atS: 600, upsert: { createdS: 0, pool: 16 } },
      ],
      recorded: [],
    },
    {
      name: "records a node first listed short once its pool is filled, counted from its creation",
      steps: [
        { atS: 30, list: [{ createdS: 20 }] },
        { atS: 45, upsert: { createdS: 20, pool: 8 } },
      ],
      recorded: [25],
    },
    {
      name: "records a node created after the first list with its pool already filled (prewarmed)",
      steps: [
        { atS: 0, list: [] },
        { atS: 3, upsert: { createdS: 2, pool: 8 } },
      ],
      recorded: [1],
    },
    {
      name: "uses the CiliumNode's own pre-allocate",
      steps: [
        { atS: 0, list: [] },
        { atS: 1, upsert: { createdS: 0, pool: 8, pre: 16 } },
        { atS: 7, upsert: { createdS: 0, pool: 16, pre: 16 } },
      ],
      recorded: [7],
    },
    {
      name: "counts a pool at a max-allocate below pre-allocate as ready",
      steps: [
        { atS: 0, list: [] },
        { atS: 4, upsert: { createdS: 0, pool: 2, max: 2 } },
      ],
      recorded: [4],
    },
    {
      name: "records each node once, even when its pool shrinks and fills again",
      steps: [
        { atS: 0, list: [] },
        { atS: 5, upsert: { createdS: 0, pool: 8 } },
        { atS: 50, upsert: { createdS: 0, pool: 3 } },
        { atS: 60, upsert: { createdS: 0, pool: 8 } },
      ],
      recorded: [5],
    },
    {
      name: "records a node deleted and created again under the same name a second time",
      steps: [
        { atS: 0, list: [] },
        { atS: 5, upsert: { createdS: 0, pool: 8 } },
        { atS: 100, delete: "worker-1" },
        { atS: 110, upsert: { createdS: 110, uid: "uid-2" } },
        { atS: 120, upsert: { createdS: 110, uid: "uid-2", pool: 8 } },
      ],
      recorded: [5, 10],
    },
    {
      name: "records a node replaced (new uid) while the watch was away, as a relist shows it",
      steps: [
        { atS: 0, list: [{ createdS: 0, pool: 8 }] },
        { atS: 300, list: [{ createdS: 290, uid: "uid-2", pool: 8 }] },
      ],
      recorded: [10],
    },
    {
      name: "never reports a negative time when the API server's clock is ahead",
      steps: [
        { atS: 0, list: [] },
        { atS: 10, upsert: { createdS: 12, pool: 8 } },
      ],
      recorded: [0],
    },
    {
      name: "records nothing for a node without a creation timestamp",
      steps: [
        { atS: 0, list: [] },
        { atS: 10, upsert: { pool: 8 } },
      ],
      recorded: [],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(run(row.steps).recorded).to.deep.equal(row.recorded);
    });
  }

  it("reads the creation time from metadata.creationTimestamp of the object as served", () => {
    const object = {
      metadata: { name: "n1", uid: "u", resourceVersion: "7", creationTimestamp: "2026-12-04T10:00:05Z" },
      spec: { ipam: {} },
    };
    expect(toProgressView(object).createdAtMs).to.equal(T0 + 5000);
    expect(
      toProgressView({ ...object, metadata: { ...object.metadata, creationTimestamp: "garbage" } }),
    ).to.not.have.property("createdAtMs");
  });
});

describe("watcher node progress: states and stalls", () => {
  const rows: Array<{ name: string; steps: Step[]; atS: number; state: string; stalled: Array<[string, number]> }> = [
    {
      name: "a satisfied node is ready",
      steps: [{ atS: 0, list: [{ pool: 8 }] }],
      atS: 400,
      state: "ready",
      stalled: [],
    },
    {
      name: "a short node whose pool changed lately is allocating",
      steps: [
        { atS: 0, list: [{ pool: 0 }] },
        { atS: 100, upsert: { pool: 4 } },
      ],
      atS: 160,
      state: "allocating",
      stalled: [["worker-1", 60]],
    },
    {
      name: "a short node whose pool has not changed for the stall time is stalled",
      steps: [
        { atS: 0, list: [{ pool: 4 }] },
        { atS: 100, upsert: { pool: 4, used: 1 } },
      ],
      atS: 300,
      state: "stalled",
      stalled: [["worker-1", 300]],
    },
    {
      name: "a node that became short counts from then, not from its last pool change",
      steps: [
        { atS: 0, list: [{ pool: 8 }] },
        { atS: 200, upsert: { pool: 8, used: 3 } },
      ],
      atS: 260,
      state: "allocating",
      stalled: [["worker-1", 60]],
    },
    {
      name: "a node in a release handshake is releasing",
      steps: [{ atS: 0, list: [{ pool: 20, release: { "10.0.0.20": "marked-for-release" } }] }],
      atS: 10,
      state: "releasing",
      stalled: [],
    },
    {
      name: "a deleted node is forgotten",
      steps: [
        { atS: 0, list: [{ pool: 0 }] },
        { atS: 10, delete: "worker-1" },
      ],
      atS: 400,
      state: "none",
      stalled: [],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const { progress, setNow } = run(row.steps, 300_000);
      setNow(row.atS);
      const counts = progress.stateCounts();
      const nonZero = Object.entries(counts).filter(([, n]) => n > 0);
      expect(nonZero).to.deep.equal(row.state === "none" ? [] : [[row.state, 1]]);
      expect([...progress.stalledSeconds()].map((s) => [s.name, s.seconds])).to.deep.equal(row.stalled);
    });
  }
});

describe("watcher metrics: join → ready histogram and node states", () => {
  it("exports the histogram, the per-state gauge and the per-node stall gauge", async () => {
    const { progress, setNow } = run([
      {
        atS: 0,
        list: [
          { name: "a", pool: 8 },
          { name: "b", pool: 2 },
        ],
      },
      { atS: 1, upsert: { name: "c", createdS: 1 } },
    ]);
    const metrics = new WatcherMetrics({ nodes: () => [], isLeader: () => true, progress });
    metrics.joinedToReady(12);
    metrics.joinedToReady(40);
    setNow(400);
    const text = await metrics.registry.metrics();
    expect(text).to.include('ocipam_watcher_join_to_ready_seconds_bucket{le="15"} 1');
    expect(text).to.include('ocipam_watcher_join_to_ready_seconds_bucket{le="45"} 2');
    expect(text).to.include("ocipam_watcher_join_to_ready_seconds_count 2");
    expect(text).to.include("ocipam_watcher_join_to_ready_seconds_sum 52");
    expect(text).to.include('ocipam_watcher_nodes{state="ready"} 1');
    expect(text).to.include('ocipam_watcher_nodes{state="stalled"} 2');
    expect(text).to.include('ocipam_watcher_nodes{state="allocating"} 0');
    expect(text).to.include('ocipam_watcher_node_stalled_seconds{target_node="b"} 400');
    expect(text).to.include('ocipam_watcher_node_stalled_seconds{target_node="c"} 399');
    expect(text).to.not.include('ocipam_watcher_node_stalled_seconds{target_node="a"}');
  });
});
