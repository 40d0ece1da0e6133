import { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { CILIUM_NODES, toCiliumNodeView } from "../../lib/adapters/kube/cilium-node-mapping";
import { internalErrorFault, type KubeEmulator } from "../../lib/testbed/kube-emulator";
import type { CiliumNodeView } from "../../lib/ports/kube";
import { watcherKubeClients } from "../../events/watcher/adapters/kube-access";
import { ListWatch, type ListWatchEvent, type WatchRestartCause } from "../../events/watcher/adapters/list-watch";
import { listInPages } from "../../events/watcher/adapters/paged-list";
import { realScheduler } from "../../events/watcher/scheduler";
import { pause, startTestKubeEmulator, waitFor } from "./harness";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

interface Run {
  lw: ListWatch<CiliumNodeView>;
  events: Array<ListWatchEvent<CiliumNodeView>>;
  restarts: WatchRestartCause[];
  names(): string[];
}

function run(kube: KubeEmulator, options: { watchdogMs?: number; viaProxy?: TcpProxy } = {}): Run {
  const kc = new KubeConfig();
  const opts = kube.kubeConfigOptions("ocipam-system/ocipam-watcher");
  if (options.viaProxy)
    opts.clusters = opts.clusters.map((c) => ({ ...c, server: `http://127.0.0.1:${options.viaProxy!.port}` }));
  kc.loadFromOptions(opts);
  const clients = watcherKubeClients(kc, 5000);
  const events: Run["events"] = [];
  const restarts: WatchRestartCause[] = [];
  const current = new Set<string>();
  const lw = new ListWatch<CiliumNodeView>({
    kind: "CiliumNodes",
    kubeConfig: clients.kubeConfig,
    path: "/apis/cilium.io/v2/ciliumnodes",
    list: (onPage) =>
      listInPages<unknown>(
        (cont, limit) => clients.customObjects.listClusterCustomObject({ ...CILIUM_NODES, limit, _continue: cont }),
        onPage,
      ),
    map: toCiliumNodeView,
    onEvent: (e) => {
      events.push(e);
      if (e.type === "synced") {
        current.clear();
        for (const n of e.items) current.add(n.name);
      } else if (e.type === "upsert") current.add(e.item.name);
      else current.delete(e.name);
    },
    onRestart: (cause) => restarts.push(cause),
    scheduler: realScheduler,
    watchdogMs: options.watchdogMs ?? 60_000,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
  });
  lw.start();
  return { lw, events, restarts, names: () => [...current].sort() };
}

function node(name: string) {
  return { apiVersion: "cilium.io/v2", kind: "CiliumNode", metadata: { name }, spec: { ipam: { pool: {} } } };
}

describe("CiliumNode list+watch", function () {
  this.timeout(15_000);
  let kube: KubeEmulator;
  let current: Run | undefined;
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    await current?.lw.stop();
    current = undefined;
    await proxy?.close();
    proxy = undefined;
    await kube.close();
  });

  it("lists, then delivers adds, updates and deletes from the watch", async () => {
    kube = await startTestKubeEmulator();
    kube.store.create("ciliumnodes", node("a"));
    current = run(kube);
    await waitFor("the first list", () => current!.lw.synced());
    await waitFor("an open watch", () => kube.store.openWatchCount() > 0);
    kube.store.create("ciliumnodes", node("b"));
    kube.store.patch("ciliumnodes", "a", { spec: { ipam: { "pre-allocate": 4 } } });
    kube.store.delete("ciliumnodes", "b");
    await waitFor("the delete", () => current!.events.some((e) => e.type === "delete" && e.name === "b"));
    const types = current.events.map((e) =>
      e.type === "synced"
        ? `synced:${e.items.length}`
        : e.type === "upsert"
          ? `upsert:${e.item.name}`
          : `delete:${e.name}`,
    );
    expect(types).to.deep.equal(["synced:1", "upsert:b", "upsert:a", "delete:b"]);
    const updated = current.events[2] as { item: CiliumNodeView };
    expect(updated.item.ipam.preAllocate).to.equal(4);
    expect(current.lw.stats.lists).to.equal(1);
  });

  it("resumes from the last resourceVersion when the server ends the watch, without relisting", async () => {
    kube = await startTestKubeEmulator();
    current = run(kube);
    await waitFor("an open watch", () => current!.lw.synced() && kube.store.openWatchCount() > 0);
    kube.store.closeWatches();
    kube.store.create("ciliumnodes", node("while-away"));
    await waitFor("the node created while the watch was being reopened", () => current!.names().includes("while-away"));
    expect(current.lw.stats.lists).to.equal(1);
    expect(current.restarts).to.deep.equal(["closed"]);
  });

  it("relists after 410 Gone and reports what disappeared meanwhile", async () => {
    kube = await startTestKubeEmulator();
    kube.store.create("ciliumnodes", node("old"));
    current = run(kube);
    await waitFor("an open watch", () => current!.lw.synced() && kube.store.openWatchCount() > 0);
    kube.store.closeWatches();
    kube.store.delete("ciliumnodes", "old");
    kube.store.create("ciliumnodes", node("new"));
    kube.store.compactHistory();
    await waitFor("the relist", () => current!.lw.stats.lists === 2);
    await waitFor("the relist's view", () => current!.names().join() === "new");
    expect(current.lw.stats.expired).to.equal(1);
    expect(current.restarts).to.include("expired");
  });

  it(
    "keeps listing and watching through connection failures, where " + "client-node's informer would stop for good",
    async () => {
      kube = await startTestKubeEmulator();
      proxy = await startTcpProxy(Number(new URL(kube.endpoint).port));
      current = run(kube, { viaProxy: proxy });
      await waitFor("an open watch", () => current!.lw.synced() && kube.store.openWatchCount() > 0);
      proxy.mode("refuse");
      await waitFor("two failed watches", () => current!.restarts.filter((r) => r === "error").length >= 2);
      proxy.mode("pass");
      kube.store.create("ciliumnodes", node("after-errors"));
      await waitFor("events again", () => current!.names().includes("after-errors"));
      expect(current.lw.stats.lists).to.equal(1, "the watch resumes from its resourceVersion");
    },
  );

  it("restarts a half-open watch (no data, no error) once the watchdog sees it silent", async () => {
    kube = await startTestKubeEmulator({ bookmarkIntervalMs: 50 });
    proxy = await startTcpProxy(Number(new URL(kube.endpoint).port));
    current = run(kube, { viaProxy: proxy, watchdogMs: 300 });
    await waitFor("an open watch", () => current!.lw.synced() && kube.store.openWatchCount() > 0);
    proxy.mode("blackhole");
    kube.store.create("ciliumnodes", node("unseen-yet"));
    await waitFor("a watchdog restart", () => current!.lw.stats.watchdogRestarts >= 1, 3000);
    expect(current.names()).to.not.include("unseen-yet");
    proxy.mode("pass");
    await waitFor("the node created during the outage", () => current!.names().includes("unseen-yet"), 3000);
  });

  it("retries a failed list with backoff until it succeeds", async () => {
    kube = await startTestKubeEmulator();
    kube.store.create("ciliumnodes", node("a"));
    kube.store.injectFault({ verb: "list", resource: "ciliumnodes.cilium.io", times: 3, error: internalErrorFault() });
    current = run(kube);
    await waitFor("the first successful list", () => current!.lw.synced());
    expect(current.lw.stats.lists).to.equal(4);
    expect(current.names()).to.deep.equal(["a"]);
  });

  it("restarts a watch that stays silent past the watchdog and keeps delivering events", async () => {
    kube = await startTestKubeEmulator({ bookmarkIntervalMs: 60_000 });
    current = run(kube, { watchdogMs: 250 });
    await waitFor("a watchdog restart", () => current!.lw.stats.watchdogRestarts >= 1, 3000);
    expect(current.lw.stats.lists).to.equal(1, "a silent watch is resumed, not relisted");
    kube.store.create("ciliumnodes", node("late"));
    await waitFor("the late node", () => current!.names().includes("late"));
  });

  it("takes bookmarks as signs of life: no watchdog restart while the server sends them", async () => {
    kube = await startTestKubeEmulator({ bookmarkIntervalMs: 60 });
    current = run(kube, { watchdogMs: 400 });
    await waitFor("an open watch", () => current!.lw.synced() && kube.store.openWatchCount() > 0);
    await pause(1200);
    expect(current.lw.stats.watchdogRestarts).to.equal(0);
    expect(current.lw.stats.watches).to.equal(1);
  });
});
