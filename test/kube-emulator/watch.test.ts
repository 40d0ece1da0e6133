import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import type { KubeEmulator } from "../../lib/testbed/kube-emulator";
import { ciliumNode, clients, CN, mergePatch, startEmulator, waitFor } from "./helpers";

type Obj = {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  metadata: { name: string; resourceVersion: string; annotations?: Record<string, string> };
  spec?: any;
};
type Event = { type: string; obj: Obj };

const PATH = "/apis/cilium.io/v2/ciliumnodes";

describe("kube emulator: watch and informer through @kubernetes/client-node", () => {
  let emu: KubeEmulator;
  let kc: k8s.KubeConfig;
  let api: k8s.CustomObjectsApi;
  const aborts: AbortController[] = [];

  /** Starts a watch; resolves with the collected events and a promise for the done callback. */
  async function watch(
    params: Record<string, string | number | boolean | undefined>,
    path = PATH,
  ): Promise<{ events: Event[]; done: Promise<unknown>; ctrl: AbortController }> {
    const events: Event[] = [];
    let resolveDone!: (err: unknown) => void;
    const done = new Promise<unknown>((r) => (resolveDone = r));
    const ctrl = await new k8s.Watch(kc).watch(
      path,
      params,
      (type, obj) => events.push({ type, obj: obj as Obj }),
      (err) => resolveDone(err),
    );
    aborts.push(ctrl);
    return { events, done, ctrl };
  }

  before(async () => {
    emu = await startEmulator({ watchHistory: 50 });
    kc = clients(emu).kc;
    api = clients(emu).custom;
  });
  afterEach(() => {
    for (const a of aborts.splice(0)) a.abort();
  });
  after(() => emu.close());

  it(
    "streams ADDED, MODIFIED and DELETED after the resourceVersion it " +
      "starts from, each with the object's new resourceVersion",
    async () => {
      const rv = emu.store.resourceVersion();
      const w = await watch({ resourceVersion: rv });
      await waitFor(() => emu.store.openWatchCount() > 0, 3000, "watch open");
      const created = (await api.createClusterCustomObject({ ...CN, body: ciliumNode("w-a") })) as Obj;
      const patched = (await api.patchClusterCustomObject(
        { ...CN, name: "w-a", body: { spec: { "instance-id": "x" } } },
        mergePatch,
      )) as Obj;
      await api.deleteClusterCustomObject({ ...CN, name: "w-a" });
      await waitFor(() => w.events.length >= 3, 3000, "three events");
      expect(w.events.map((e) => e.type)).to.deep.equal(["ADDED", "MODIFIED", "DELETED"]);
      expect(w.events[0].obj.metadata.resourceVersion).to.equal(created.metadata.resourceVersion);
      expect(w.events[1].obj.metadata.resourceVersion).to.equal(patched.metadata.resourceVersion);
      expect(Number(w.events[2].obj.metadata.resourceVersion)).to.be.greaterThan(
        Number(patched.metadata.resourceVersion),
      );
      expect(w.events[1].obj.spec["instance-id"]).to.equal("x");
    },
  );

  it("replays history: a watch from an older resourceVersion receives the changes made since", async () => {
    const rv = emu.store.resourceVersion();
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("w-history") });
    await api.patchClusterCustomObject(
      { ...CN, name: "w-history", body: { spec: { "instance-id": "h" } } },
      mergePatch,
    );
    const w = await watch({ resourceVersion: rv });
    await waitFor(() => w.events.length >= 2, 3000, "replayed events");
    expect(w.events.map((e) => `${e.type}:${e.obj.metadata.name}`)).to.deep.equal([
      "ADDED:w-history",
      "MODIFIED:w-history",
    ]);
  });

  it("starts with synthetic ADDED events for the current state when resourceVersion is 0 or unset", async () => {
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("w-state", {}, { watchstate: "yes" }) });
    for (const params of [{ resourceVersion: "0" }, {}]) {
      const w = await watch({ ...params, labelSelector: "watchstate=yes" });
      await waitFor(() => w.events.length >= 1, 3000, "initial ADDED");
      expect(w.events.map((e) => `${e.type}:${e.obj.metadata.name}`)).to.deep.equal(["ADDED:w-state"]);
    }
  });

  it("sends BOOKMARK events only to watches that allow them, carrying the current resourceVersion", async () => {
    const withBookmarks = await watch({ resourceVersion: emu.store.resourceVersion(), allowWatchBookmarks: true });
    const without = await watch({ resourceVersion: emu.store.resourceVersion() });
    await waitFor(() => emu.store.openWatchCount() >= 2, 3000, "two watches");
    emu.store.bookmarkNow();
    await waitFor(() => withBookmarks.events.length >= 1, 3000, "bookmark");
    const bm = withBookmarks.events[0];
    expect(bm.type).to.equal("BOOKMARK");
    expect(bm.obj).to.deep.equal({
      kind: "CiliumNode",
      apiVersion: "cilium.io/v2",
      metadata: { resourceVersion: emu.store.resourceVersion() },
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(without.events).to.deep.equal([]);
  });

  it("streams the state then an initial-events-end BOOKMARK for sendInitialEvents=true", async () => {
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("w-initial", {}, { initial: "yes" }) });
    const w = await watch({
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      resourceVersionMatch: "NotOlderThan",
      labelSelector: "initial=yes",
    });
    await waitFor(() => w.events.length >= 2, 3000, "initial events");
    expect(w.events.map((e) => e.type)).to.deep.equal(["ADDED", "BOOKMARK"]);
    expect(w.events[1].obj.metadata.annotations).to.deep.equal({ "k8s.io/initial-events-end": "true" });
  });

  it("closes the stream after timeoutSeconds: done is called without an error", async () => {
    const started = Date.now();
    const w = await watch({ resourceVersion: emu.store.resourceVersion(), timeoutSeconds: 1 });
    expect(await w.done).to.equal(null);
    expect(Date.now() - started).to.be.at.least(900);
  });

  it(
    "answers a watch from a compacted resourceVersion with one ERROR event " +
      "holding 410 Expired, then ends the stream",
    async () => {
      const old = emu.store.resourceVersion();
      await api.createClusterCustomObject({ ...CN, body: ciliumNode("w-expired") });
      emu.store.compactHistory();
      const floor = emu.store.resourceVersion();
      const w = await watch({ resourceVersion: old });
      expect(await w.done).to.equal(null);
      expect(w.events).to.have.length(1);
      expect(w.events[0].type).to.equal("ERROR");
      expect(w.events[0].obj).to.deep.equal({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `too old resource version: ${old} (${floor})`,
        reason: "Expired",
        code: 410,
      });
    },
  );

  it("answers a watch with a malformed selector with an HTTP 400 rather than a stream", async () => {
    const w = await watch({ labelSelector: "a b c" });
    const err = (await w.done) as { statusCode?: number } | null;
    expect(err?.statusCode).to.equal(400);
    expect(w.events).to.deep.equal([]);
  });

  it("sends DELETED when an object leaves a label-selected watch and ADDED when it enters", async () => {
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("w-move", {}, { tier: "a" }) });
    const w = await watch({ resourceVersion: emu.store.resourceVersion(), labelSelector: "tier=a" });
    await waitFor(() => emu.store.openWatchCount() > 0, 3000, "watch open");
    await api.patchClusterCustomObject(
      { ...CN, name: "w-move", body: { metadata: { labels: { tier: "b" } } } },
      mergePatch,
    );
    await api.patchClusterCustomObject(
      { ...CN, name: "w-move", body: { metadata: { labels: { tier: "a" } } } },
      mergePatch,
    );
    await waitFor(() => w.events.length >= 2, 3000, "two events");
    expect(w.events.map((e) => e.type)).to.deep.equal(["DELETED", "ADDED"]);
  });

  it("watches a single object by name (fieldSelector metadata.name)", async () => {
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("w-one") });
    await api.createClusterCustomObject({ ...CN, body: ciliumNode("w-other") });
    const w = await watch({ resourceVersion: emu.store.resourceVersion(), fieldSelector: "metadata.name=w-one" });
    await waitFor(() => emu.store.openWatchCount() > 0, 3000, "watch open");
    await api.patchClusterCustomObject({ ...CN, name: "w-other", body: { spec: { "instance-id": "o" } } }, mergePatch);
    await api.patchClusterCustomObject({ ...CN, name: "w-one", body: { spec: { "instance-id": "o" } } }, mergePatch);
    await waitFor(() => w.events.length >= 1, 3000, "event");
    await new Promise((r) => setTimeout(r, 30));
    expect(w.events.map((e) => e.obj.metadata.name)).to.deep.equal(["w-one"]);
  });

  describe("makeInformer", () => {
    it(
      "reports add, update and delete, and relists after a 410 when its " +
        "watch is resumed from a compacted resourceVersion",
      async () => {
        let lists = 0;
        const listFn = () => {
          lists += 1;
          return api.listClusterCustomObject({ ...CN, labelSelector: "informer=yes" }) as Promise<
            k8s.KubernetesListObject<k8s.KubernetesObject>
          >;
        };
        const informer = k8s.makeInformer<k8s.KubernetesObject>(kc, PATH, listFn, "informer=yes");
        const seen: string[] = [];
        const errors: unknown[] = [];
        informer.on("add", (o) => seen.push(`add:${o.metadata?.name}`));
        informer.on("update", (o) => seen.push(`update:${o.metadata?.name}`));
        informer.on("delete", (o) => seen.push(`delete:${o.metadata?.name}`));
        informer.on("error", (e) => errors.push(e));
        await api.createClusterCustomObject({ ...CN, body: ciliumNode("inf-a", {}, { informer: "yes" }) });
        await informer.start();
        try {
          await waitFor(() => seen.includes("add:inf-a"), 3000, "initial add");
          await waitFor(() => emu.store.openWatchCount() > 0, 3000, "informer watching");
          await api.createClusterCustomObject({ ...CN, body: ciliumNode("inf-b", {}, { informer: "yes" }) });
          await api.patchClusterCustomObject(
            { ...CN, name: "inf-a", body: { spec: { "instance-id": "u" } } },
            mergePatch,
          );
          await api.deleteClusterCustomObject({ ...CN, name: "inf-b" });
          await waitFor(() => seen.includes("delete:inf-b"), 3000, "delete");
          expect(seen).to.deep.equal(["add:inf-a", "add:inf-b", "update:inf-a", "delete:inf-b"]);

          // The server ends the watch; in the same tick (the admin API is synchronous, so before the informer can
          // re-watch) a change happens and the history is compacted past the informer's resourceVersion: the
          // re-watch gets 410 Expired, the informer relists and reports the difference.
          expect(lists).to.equal(1);
          const watchesBefore = emu.store.openWatchCount();
          emu.store.closeWatches();
          emu.store.create("cn", ciliumNode("inf-c", {}, { informer: "yes" }));
          emu.store.delete("cn", "inf-a");
          emu.store.compactHistory();
          await waitFor(() => seen.includes("add:inf-c") && seen.includes("delete:inf-a"), 5000, "relist after 410");
          expect(lists).to.equal(2);
          await waitFor(() => emu.store.openWatchCount() >= watchesBefore, 3000, "informer watching again");
          expect(informer.list().map((o) => o.metadata?.name)).to.deep.equal(["inf-c"]);
          expect(errors).to.deep.equal([]);
        } finally {
          await informer.stop();
        }
      },
    );
  });
});
