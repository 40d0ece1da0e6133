import { expect } from "chai";
import { NudgeCoalescer, type NodeSnapshot } from "../../events/watcher/coalescer";
import { loadWatcherConfig } from "../../events/watcher/config";
import { WatcherMetrics } from "../../events/watcher/metrics";
import { NudgeWatcher } from "../../events/watcher/nudge-watcher";
import type { CiliumNodeSummary } from "../../events/watcher/node-summary";
import type { NudgePublisher } from "../../events/watcher/publisher";
import { FakeScheduler } from "./fake-scheduler";

const S = 1000;
const RESYNC = 60 * S;
const MAX = 480 * S;

function snap(used: number, uid = "uid-a"): NodeSnapshot {
  // A node at capacity: its pool cannot grow, so it stays short; `used` stands for whatever changes on it.
  return {
    name: "a",
    uid,
    resourceVersion: String(used),
    reason: "needs-addresses",
    observed: { available: 16, used, needed: Math.max(1, used - 8), excess: 0 },
  };
}

/**
 * Drives a coalescer second by second for `untilS`: every emission is published at once; `changes` maps a second to
 * the node's state observed then. Returns the seconds at which it emitted.
 */
function drive(
  untilS: number,
  changes: Record<number, NodeSnapshot> = {},
  resyncMaxMs = MAX,
): { at: number[]; backedOff: number[] } {
  const c = new NudgeCoalescer({ resyncMs: RESYNC, resyncMaxMs, failureRetryMs: 2 * S, failureRetryMaxMs: 30 * S });
  const at: number[] = [];
  const backedOff: number[] = [];
  const publish = (r: { ticket: number } | undefined, t: number) => {
    if (!r) return;
    at.push(t);
    c.published("a", r.ticket, t * S);
  };
  publish(c.observe(snap(10), 0), 0);
  for (let t = 1; t <= untilS; t++) {
    const change = changes[t];
    if (change) publish(c.observe(change, t * S), t);
    for (const r of c.tick(t * S)) publish(r, t);
    backedOff.push(c.backedOff());
  }
  return { at, backedOff };
}

describe("re-nudge backoff for nodes that stay short without changing", () => {
  const rows: Array<{
    name: string;
    untilS: number;
    changes?: Record<number, NodeSnapshot>;
    max?: number;
    at: number[];
  }> = [
    {
      name: "an unchanged node is re-nudged after 60, 120, 240 s, then every 480 s (the cap)",
      untilS: 1900,
      at: [0, 60, 180, 420, 900, 1380, 1860],
    },
    {
      name: "with the cap equal to the resync interval nothing backs off",
      untilS: 300,
      max: RESYNC,
      at: [0, 60, 120, 180, 240, 300],
    },
    {
      name: "a change while backed off brings the interval back to 60 s from the last publish",
      untilS: 700,
      changes: { 200: snap(11) },
      at: [0, 60, 180, 240, 300, 420, 660],
    },
    {
      name: "a change long after the last publish is nudged at once, and only once",
      untilS: 560,
      changes: { 500: snap(12), 501: snap(13), 502: snap(14) },
      at: [0, 60, 180, 420, 500, 560],
    },
    {
      name: "a new uid (the node was recreated) counts as a change",
      untilS: 560,
      changes: { 500: snap(10, "uid-b") },
      at: [0, 60, 180, 420, 500, 560],
    },
    {
      name: "a new resourceVersion with the same counts is no change",
      untilS: 900,
      changes: { 500: { ...snap(10), resourceVersion: "x" } },
      at: [0, 60, 180, 420, 900],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(drive(row.untilS, row.changes, row.max).at).to.deep.equal(row.at);
    });
  }

  it("counts a node as backed off from its second re-nudge until it changes", () => {
    const { backedOff } = drive(700, { 600: snap(11) });
    expect(backedOff[59 - 1]).to.equal(0, "before the first re-nudge");
    expect(backedOff[60 - 1]).to.equal(1, "after the first re-nudge the next interval is 120 s");
    expect(backedOff[599 - 1]).to.equal(1);
    expect(backedOff[600 - 1]).to.equal(0, "the change reset it");
  });

  it("does not count a retry after a failed publish as a repeat", () => {
    const c = new NudgeCoalescer({
      resyncMs: RESYNC,
      resyncMaxMs: MAX,
      failureRetryMs: 2 * S,
      failureRetryMaxMs: 30 * S,
    });
    const first = c.observe(snap(10), 0)!;
    c.published("a", first.ticket, 0);
    const second = c.tick(RESYNC)[0]!;
    c.failed("a", second.ticket, RESYNC);
    const retry = c.tick(RESYNC + 2 * S)[0]!;
    c.published("a", retry.ticket, RESYNC + 2 * S);
    expect(c.tick(RESYNC + 2 * S + 2 * RESYNC - 1)).to.deep.equal([]);
    expect(c.tick(RESYNC + 2 * S + 2 * RESYNC)).to.have.length(
      1,
      "one step of backoff (the re-nudge), none for the retry",
    );
  });
});

describe("the watcher backs off re-nudging a node at capacity (fake clock)", () => {
  function summary(used: number): CiliumNodeSummary {
    // 16 IPs, `used` in use: Cilium's needed = 8 - (16 - used) > 0. At capacity the function cannot add any, so the
    // CiliumNode stays like this; the watcher cannot tell (it does not know the shape) and keeps it unresolved.
    return { name: "full-1", uid: "u1", resourceVersion: String(used), available: 16, used, releasing: 0 };
  }

  it("sends 7 nudges in 2,000 s instead of 34, counts the node as backed off, resets on a change", async () => {
    const scheduler = new FakeScheduler();
    const published: number[] = [];
    const publisher: NudgePublisher = {
      async publish(entries) {
        for (let i = 0; i < entries.length; i++) published.push(scheduler.now());
        return entries.map(() => ({ ok: true as const }));
      },
      async close() {},
    };
    const core = new NudgeWatcher({
      clusterName: "c",
      nudgeExcess: false,
      resyncMs: RESYNC,
      resyncMaxMs: MAX,
      failureRetryMs: 2 * S,
      batch: { flushMs: 10, maxMessages: 500, maxBytes: 1 << 20 },
      publisher,
      scheduler,
      isLeader: () => true,
    });
    const metrics = new WatcherMetrics(
      { nodes: () => core.watched(), isLeader: () => true, backedOff: () => core.backedOff() },
      { processMetrics: false },
    );
    const gauge = async () =>
      (await metrics.registry.getSingleMetric("ocipam_watcher_backed_off_nodes")!.get()).values[0]!.value;
    const tick = () => {
      core.tick();
      scheduler.after(S, tick);
    };
    scheduler.after(S, tick);
    core.setLeading(true);
    core.apply({ type: "synced", items: [summary(14)] });
    await scheduler.advance(2000 * S);
    // Gaps between nudges, to the nearest 10 s (the ticker turns once a second, the batch waits 10 ms).
    const gaps = () => published.slice(1).map((t, i) => Math.round((t - published[i]!) / (10 * S)) * 10);
    expect(gaps()).to.deep.equal([60, 120, 240, 480, 480, 480], "7 nudges in 2,000 s, where a fixed resync sends 34");
    expect(await gauge()).to.equal(1);

    // At 2,000 s a pod goes (used 13): the node changed, over 60 s after its last nudge, so it is nudged at once.
    const changedAt = scheduler.now();
    core.apply({ type: "upsert", item: summary(13) });
    expect(await gauge()).to.equal(0);
    await scheduler.advance(200 * S);
    expect(published[7]! - changedAt).to.be.below(S, "nudged within the batch flush");
    expect(gaps().slice(7)).to.deep.equal([60, 120], "then back to 60 s, 120 s");
    expect(await gauge()).to.equal(1);
  });
});

describe("the re-nudge cap in the watcher's configuration", () => {
  const REQUIRED = {
    OCIPAM_WATCHER_CLUSTER_NAME: "prod",
    OCIPAM_WATCHER_STREAM_ID: "ocid1.stream.oc1.iad.aaaa",
    OCIPAM_WATCHER_STREAM_ENDPOINT: "https://cell-1.streaming.us-ashburn-1.oci.oraclecloud.com/",
  };
  const rows: Array<{ name: string; values: Record<string, string>; resyncMaxMs?: number; error?: RegExp }> = [
    { name: "defaults to 600 s", values: {}, resyncMaxMs: 600_000 },
    { name: "takes a value of its own", values: { OCIPAM_WATCHER_RESYNC_MAX_SECONDS: "120" }, resyncMaxMs: 120_000 },
    {
      name: "unset, never undercuts a longer resync",
      values: { OCIPAM_WATCHER_RESYNC_SECONDS: "900" },
      resyncMaxMs: 900_000,
    },
    {
      name: "set below the resync interval, is refused",
      values: { OCIPAM_WATCHER_RESYNC_SECONDS: "120", OCIPAM_WATCHER_RESYNC_MAX_SECONDS: "60" },
      error: /OCIPAM_WATCHER_RESYNC_MAX_SECONDS.*at least/,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const load = () => loadWatcherConfig({ ...REQUIRED, ...row.values }, { hostname: "pod-1" });
      if (row.error) expect(load).to.throw(row.error);
      else expect(load().resyncMaxMs).to.equal(row.resyncMaxMs);
    });
  }
});
