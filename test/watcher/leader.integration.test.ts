import { expect } from "chai";
import type { WatcherHandle } from "../../events/watcher/watcher";
import { internalErrorFault } from "../../lib/testbed/kube-emulator";
import { httpGet, metricValue, pause, startWatcherEnv, waitFor, type WatcherEnv } from "./harness";

async function published(w: WatcherHandle): Promise<number> {
  return (
    metricValue(
      (await httpGet(w.port, "/metrics")).body,
      "ocipam_watcher_nudges_published_total",
      'reason="needs-addresses"',
    ) ?? 0
  );
}

describe("watcher leader election with two replicas", function () {
  this.timeout(20_000);
  let env: WatcherEnv;

  beforeEach(async () => {
    env = await startWatcherEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  it(
    "publishes through the leader only, keeps the follower's cache warm, " + "and fails over when the leader stops",
    async () => {
      const a = await env.startWatcher({ OCIPAM_WATCHER_IDENTITY: "replica-a", OCIPAM_WATCHER_RESYNC_SECONDS: "30" });
      const b = await env.startWatcher({ OCIPAM_WATCHER_IDENTITY: "replica-b", OCIPAM_WATCHER_RESYNC_SECONDS: "30" });
      const [leader, follower] = await waitFor("a leader", () =>
        a.isLeader() ? [a, b] : b.isLeader() ? [b, a] : undefined,
      );
      for (let i = 0; i < 5; i++) env.createNode(`worker-${i}`);
      await waitFor("five nudges", async () => (await env.readNudges()).length === 5);
      await pause(600); // a few renew periods: still one leader, nothing more published
      expect(leader.isLeader()).to.equal(true);
      expect(follower.isLeader()).to.equal(false);
      expect(await env.readNudges()).to.have.length(5);
      expect(await published(leader)).to.equal(5);
      expect(await published(follower)).to.equal(0);

      const lease = env.kube.store.get("leases", "ocipam-watcher-leader", "ocipam-system") as {
        spec: Record<string, unknown>;
      };
      expect(lease.spec).to.include({ holderIdentity: leader.identity, leaseDurationSeconds: 2 });

      const followerMetrics = (await httpGet(follower.port, "/metrics")).body;
      expect(metricValue(followerMetrics, "ocipam_watcher_is_leader")).to.equal(0);
      expect(metricValue(followerMetrics, "cilium_operator_ipam_nodes", 'category="in-deficit"')).to.equal(
        5,
        "the follower's cache is warm",
      );
      expect((await httpGet(follower.port, "/readyz")).status).to.equal(200, "a synced follower is ready");

      await leader.stop();
      await waitFor("the follower to take over", () => follower.isLeader(), 3000);
      // The new leader does not know what was published before it: it re-emits every unresolved node once.
      await waitFor("five re-emissions", async () => (await env.readNudges()).length === 10);
      env.createNode("worker-late");
      await waitFor("the late node's nudge", async () =>
        (await env.readNudges()).some((n) => n.subject === "worker-late"),
      );
      expect(await published(follower)).to.equal(6);
      const after = env.kube.store.get("leases", "ocipam-watcher-leader", "ocipam-system") as {
        spec: Record<string, unknown>;
      };
      expect(after.spec).to.include({ holderIdentity: follower.identity, leaseTransitions: 1 });
    },
  );

  it("stops publishing at once when the leader loses its Lease", async () => {
    const a = await env.startWatcher({
      OCIPAM_WATCHER_IDENTITY: "replica-a",
      OCIPAM_WATCHER_RESYNC_SECONDS: "30",
      OCIPAM_WATCHER_FLUSH_MS: "50",
    });
    await waitFor("leadership", () => a.isLeader());
    // Every Lease request now fails: a leader that cannot renew must stop before its Lease could expire for others.
    env.kube.store.injectFault({
      resource: "leases.coordination.k8s.io",
      times: 1000,
      error: internalErrorFault("etcd is unavailable"),
    });
    await waitFor("step-down after the renew deadline", () => !a.isLeader(), 3000);
    env.createNode("worker-1");
    await pause(400);
    expect(await env.readNudges()).to.have.length(0, "a replica that is not leading never publishes");
    expect(metricValue((await httpGet(a.port, "/metrics")).body, "ocipam_watcher_is_leader")).to.equal(0);
    env.kube.store.clearFaults();
    await waitFor("leadership again", () => a.isLeader(), 3000);
    await waitFor("the nudge", async () => (await env.readNudges()).length === 1);
  });
});
