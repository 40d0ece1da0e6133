import { expect } from "chai";
import { httpGet, metricValue, pause, startWatcherEnv, waitFor, type WatcherEnv } from "./harness";

describe("watcher against the Kubernetes and OCI emulators", function () {
  this.timeout(20_000);
  let env: WatcherEnv;

  beforeEach(async () => {
    env = await startWatcherEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  it("publishes exactly one needs-addresses nudge per node that needs IPs and none for satisfied nodes", async () => {
    env.createNode("worker-1");
    env.createNode("worker-2", { pool: 8, used: 3 });
    env.createNode("worker-3", { pool: 8 });
    env.createNode("worker-4", { pool: 16, used: 8 });
    const w = await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "30" });
    const nudges = await waitFor("two nudges", async () => {
      const n = await env.readNudges();
      return n.length >= 2 ? n : undefined;
    });
    await w.idle();
    await pause(300); // well past the flush interval: nothing else may follow
    const all = await env.readNudges();
    expect(all).to.have.length(2);
    const byNode = Object.fromEntries(nudges.map((n) => [n.subject, n]));
    expect(Object.keys(byNode).sort()).to.deep.equal(["worker-1", "worker-2"]);
    expect(byNode["worker-1"]).to.include({ type: "io.ocipam.node.needs-addresses", source: "/ocipam/watcher/local" });
    expect(byNode["worker-1"]!.data).to.deep.include({
      node: "worker-1",
      reason: "needs-addresses",
      observed: { available: 0, used: 0, needed: 8, excess: 0 },
    });
    expect(byNode["worker-2"]!.data.observed).to.deep.equal({ available: 8, used: 3, needed: 3, excess: 0 });
    const stored = env.kube.store.get("ciliumnodes", "worker-2") as {
      metadata: { uid: string; resourceVersion: string };
    };
    expect(byNode["worker-2"]!.data).to.include({
      uid: stored.metadata.uid,
      resourceVersion: stored.metadata.resourceVersion,
    });
  });

  it("publishes excess-addresses only when enabled, and resync for a node in a release handshake", async () => {
    env.createNode("excess", { pool: 20 });
    env.createNode("handshake", { pool: 8 });
    env.kube.store.patch(
      "ciliumnodes",
      "handshake",
      { status: { ipam: { "release-ips": { "10.0.16.1": "ready-for-release" } } } },
      { subresource: "status" },
    );
    const off = await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "30", OCIPAM_WATCHER_IDENTITY: "off" });
    await waitFor("the handshake nudge", async () => (await env.readNudges()).length === 1);
    await off.idle();
    await pause(200);
    expect((await env.readNudges()).map((n) => `${n.subject}:${n.type}`)).to.deep.equal([
      "handshake:io.ocipam.node.resync",
    ]);
    await off.stop();

    await env.startWatcher({
      OCIPAM_WATCHER_RESYNC_SECONDS: "30",
      OCIPAM_WATCHER_NUDGE_EXCESS: "true",
      OCIPAM_WATCHER_IDENTITY: "on",
    });
    const all = await waitFor("the excess nudge", async () => {
      const n = await env.readNudges();
      return n.some((x) => x.subject === "excess") ? n : undefined;
    });
    const excess = all.find((n) => n.subject === "excess")!;
    expect(excess.type).to.equal("io.ocipam.node.excess-addresses");
    expect(excess.data).to.deep.include({
      reason: "excess-addresses",
      observed: { available: 20, used: 0, needed: 0, excess: 12 },
    });
  });

  it("keys every message by node name so all nudges about one node land on one partition", async () => {
    await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "0.2" });
    const names = ["a-node", "b-node", "c-node", "d-node", "e-node", "f-node"];
    for (const n of names) env.createNode(n);
    const messages = await waitFor("two nudges per node", async () => {
      const all = await env.readMessages();
      return names.every((n) => all.filter((m) => m.nudge.subject === n).length >= 2) ? all : undefined;
    });
    for (const m of messages) expect(m.key).to.equal(m.nudge.subject);
    for (const n of names)
      expect(new Set(messages.filter((m) => m.nudge.subject === n).map((m) => m.partition)).size).to.equal(1, n);
    expect(new Set(messages.map((m) => m.partition)).size).to.be.above(1, "different nodes spread over the partitions");
  });

  it(
    "re-emits a node still unresolved after the resync interval, and falls " + "silent once its pool is satisfied",
    async () => {
      const w = await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "0.3" });
      env.createNode("worker-1");
      await waitFor("a first nudge", async () => (await env.readNudges()).length === 1);
      await waitFor("a re-emission after the resync interval", async () => (await env.readNudges()).length === 2, 3000);
      const [first, second] = await env.readNudges();
      expect(second!.id).to.not.equal(first!.id);
      expect(Date.parse(second!.time) - Date.parse(first!.time)).to.be.at.least(250);

      env.setPool("worker-1", 8); // what the function writes back
      await w.idle();
      const settled = (await env.readNudges()).length;
      await pause(1000); // more than three resync intervals
      expect((await env.readNudges()).length).to.equal(settled, "a satisfied node is never nudged again");
      expect(settled).to.be.at.most(3, "at most one re-emission can race the pool write");
    },
  );

  it("emits again at once when pods use up a satisfied node's free IPs", async () => {
    await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "30" });
    env.createNode("worker-1", { pool: 8 });
    await pause(200);
    expect(await env.readNudges()).to.have.length(0);
    const used: Record<string, { owner: string }> = {};
    for (let i = 0; i < 6; i++) used[`10.0.16.${i + 1}`] = { owner: `default/p${i}` };
    env.kube.store.patch("ciliumnodes", "worker-1", { status: { ipam: { used } } }, { subresource: "status" });
    const [n] = await waitFor("a nudge", async () => {
      const all = await env.readNudges();
      return all.length === 1 ? all : undefined;
    });
    expect(n!.data.observed).to.deep.equal({ available: 8, used: 6, needed: 6, excess: 0 });
  });

  it("batches a burst of 100 joining nodes into a few PutMessages requests", async () => {
    const w = await env.startWatcher({ OCIPAM_WATCHER_FLUSH_MS: "100" });
    await waitFor("the first list", () => w.synced());
    env.oci.admin.resetCounters();
    for (let i = 0; i < 100; i++) env.createNode(`burst-${String(i).padStart(3, "0")}`);
    await waitFor("100 nudges", async () => (await env.readNudges()).length === 100);
    await w.idle();
    const puts = env.oci.admin.counters().PutMessages ?? 0;
    expect(puts).to.be.within(1, 3);
    expect(new Set((await env.readNudges()).map((n) => n.subject)).size).to.equal(100);
  });

  it("splits a burst by the configured message cap", async () => {
    const w = await env.startWatcher({ OCIPAM_WATCHER_BATCH_MAX_MESSAGES: "25", OCIPAM_WATCHER_FLUSH_MS: "200" });
    await waitFor("the first list", () => w.synced());
    env.oci.admin.resetCounters();
    for (let i = 0; i < 100; i++) env.createNode(`cap-${i}`);
    await waitFor("100 nudges", async () => (await env.readNudges()).length === 100);
    await w.idle();
    expect(env.oci.admin.counters().PutMessages).to.equal(4);
  });

  it("forgets deleted nodes: no re-emission and no metrics for them", async () => {
    const w = await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "0.3" });
    env.createNode("doomed");
    await waitFor("a nudge", async () => (await env.readNudges()).length === 1);
    env.kube.store.delete("ciliumnodes", "doomed");
    await w.idle();
    await pause(900);
    expect((await env.readNudges()).length).to.be.at.most(2, "at most one re-emission could race the delete");
    const metrics = await httpGet(w.port, "/metrics");
    expect(metricValue(metrics.body, "cilium_operator_ipam_needed_ips", 'target_node="doomed"')).to.equal(undefined);
  });

  it("serves Cilium-named per-node and node-count metrics and its own publish metrics", async () => {
    env.createNode("worker-1");
    env.createNode("worker-2", { pool: 10, used: 4 });
    env.createNode("worker-3", { pool: 8 });
    const w = await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "30" });
    await waitFor("two nudges", async () => (await env.readNudges()).length === 2);
    await w.idle();
    const { status, body } = await httpGet(w.port, "/metrics");
    expect(status).to.equal(200);
    expect(metricValue(body, "cilium_operator_ipam_available_ips", 'target_node="worker-2"')).to.equal(10);
    expect(metricValue(body, "cilium_operator_ipam_used_ips", 'target_node="worker-2"')).to.equal(4);
    expect(metricValue(body, "cilium_operator_ipam_needed_ips", 'target_node="worker-2"')).to.equal(2);
    expect(metricValue(body, "cilium_operator_ipam_needed_ips", 'target_node="worker-1"')).to.equal(8);
    expect(metricValue(body, "cilium_operator_ipam_needed_ips", 'target_node="worker-3"')).to.equal(0);
    expect(metricValue(body, "cilium_operator_ipam_nodes", 'category="total"')).to.equal(3);
    expect(metricValue(body, "cilium_operator_ipam_nodes", 'category="in-deficit"')).to.equal(2);
    expect(metricValue(body, "cilium_operator_ipam_nodes", 'category="at-capacity"')).to.equal(undefined);
    expect(metricValue(body, "ocipam_watcher_nudges_published_total", 'reason="needs-addresses"')).to.equal(2);
    expect(metricValue(body, "ocipam_watcher_publish_errors_total")).to.equal(0);
    expect(metricValue(body, "ocipam_watcher_publish_duration_seconds_count")).to.be.at.least(1);
    expect(metricValue(body, "ocipam_watcher_is_leader")).to.equal(1);
    expect((await httpGet(w.port, "/healthz")).status).to.equal(200);
    const ready = await httpGet(w.port, "/readyz");
    expect(ready.status).to.equal(200);
    expect(JSON.parse(ready.body)).to.include({ ok: true, synced: true, leader: true, lastPublishOk: true });
  });

  it("retries PutMessages on 500 and counts every failed request", async () => {
    const w = await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "30" });
    await waitFor("the first list", () => w.synced());
    env.oci.admin.injectFault({ operation: "PutMessages", status: 500, code: "InternalError", count: 2 });
    env.createNode("worker-1");
    await waitFor("the nudge", async () => (await env.readNudges()).length === 1);
    await w.idle();
    expect(env.oci.admin.countersByStatus().PutMessages).to.deep.equal({ "500": 2, "200": 1 });
    const { body } = await httpGet(w.port, "/metrics");
    expect(metricValue(body, "ocipam_watcher_publish_errors_total")).to.equal(2);
    expect(metricValue(body, "ocipam_watcher_nudges_published_total", 'reason="needs-addresses"')).to.equal(1);
  });

  it("reports not ready while the leader cannot publish, and ready again once it can", async () => {
    const w = await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "30", OCIPAM_WATCHER_PUBLISH_ATTEMPTS: "2" });
    await waitFor("the first list", () => w.synced());
    env.oci.admin.injectFault({ operation: "PutMessages", status: 404, code: "NotAuthorizedOrNotFound" });
    env.createNode("worker-1");
    await waitFor("readiness to fail", async () => (await httpGet(w.port, "/readyz")).status === 503);
    const body = JSON.parse((await httpGet(w.port, "/readyz")).body) as { lastPublishError: string };
    expect(body.lastPublishError).to.match(/NotAuthorizedOrNotFound|404/);
    expect(env.oci.admin.countersByStatus().PutMessages).to.deep.equal({ "404": 1 }, "a 404 is not retried");
    expect((await httpGet(w.port, "/healthz")).status).to.equal(200, "a publish failure is not a liveness failure");
    env.oci.admin.clearFaults();
    await waitFor("the nudge after the failure retry delay", async () => (await env.readNudges()).length === 1);
    await waitFor("readiness to recover", async () => (await httpGet(w.port, "/readyz")).status === 200);
  });

  it("relists after 410 Gone and catches up with what changed while it was away", async () => {
    const w = await env.startWatcher({ OCIPAM_WATCHER_RESYNC_SECONDS: "30" });
    env.createNode("stays", { pool: 8 });
    env.createNode("goes", { pool: 8 });
    await waitFor(
      "both nodes in the metrics",
      async () =>
        metricValue((await httpGet(w.port, "/metrics")).body, "cilium_operator_ipam_nodes", 'category="total"') === 2,
    );
    // End the watch, change the cluster and compact the history: resuming from the old resourceVersion answers 410.
    env.kube.store.closeWatches();
    env.kube.store.delete("ciliumnodes", "goes");
    env.createNode("arrives");
    env.kube.store.compactHistory();
    await waitFor("the arriving node's nudge", async () =>
      (await env.readNudges()).some((n) => n.subject === "arrives"),
    );
    const { body } = await httpGet(w.port, "/metrics");
    expect(metricValue(body, "ocipam_watcher_watch_restarts_total", 'cause="expired"')).to.be.at.least(1);
    expect(metricValue(body, "cilium_operator_ipam_available_ips", 'target_node="goes"')).to.equal(undefined);
    expect(metricValue(body, "cilium_operator_ipam_nodes", 'category="total"')).to.equal(2);
  });
});
