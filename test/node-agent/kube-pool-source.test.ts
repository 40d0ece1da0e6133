import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { silentLogger } from "../../lib/log";
import { KubeCiliumNodePoolSource } from "../../lib/node-agent/adapters/kube-pool-source";
import { FakeKubeApi } from "./fake-kube-api";
import { until } from "./wait";

describe("CiliumNode pool source (client-node list + watch)", () => {
  let api: FakeKubeApi;
  let source: KubeCiliumNodePoolSource;
  let changes: number;

  beforeEach(async () => {
    api = await new FakeKubeApi().start();
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: "c", server: api.url, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    source = new KubeCiliumNodePoolSource({
      kubeConfig,
      nodeName: "node-a",
      log: silentLogger(),
      retryDelayMs: 10,
      maxRetryDelayMs: 20,
    });
    changes = 0;
    source.onChange(() => (changes += 1));
  });
  afterEach(async () => {
    await source.stop();
    await api.close();
  });

  it("lists and watches only its own node through fieldSelector metadata.name=<node>", async () => {
    api.put("node-a", { "10.0.1.20": "ocid1.vnic.oc1..second" });
    api.put("node-b", { "10.0.9.9": "ocid1.vnic.oc1..other" });
    await source.start();
    await until(() => api.openWatches() === 1, "the watch");
    expect(source.current()?.pool).to.deep.equal({ "10.0.1.20": { resource: "ocid1.vnic.oc1..second" } });
    const selectors = api.requests.map((u) => [
      u.searchParams.get("watch") ?? "list",
      u.searchParams.get("fieldSelector"),
    ]);
    expect(selectors).to.deep.equal([
      ["list", "metadata.name=node-a"],
      ["true", "metadata.name=node-a"],
    ]);
    expect(api.requests[1]?.searchParams.get("resourceVersion")).to.equal(String(api.rv));
  });

  it("notifies when the pool changes, not when only other fields change", async () => {
    api.put("node-a", { "10.0.1.20": "ocid1.vnic.oc1..second" });
    await source.start();
    await until(() => api.openWatches() === 1, "the watch");
    expect(changes).to.equal(1);
    api.put("node-a", { "10.0.1.20": "ocid1.vnic.oc1..second" }, { labels: { copied: "from-node" } });
    api.put("node-a", { "10.0.1.20": "ocid1.vnic.oc1..second", "10.0.1.21": "ocid1.vnic.oc1..second" });
    await until(() => changes === 2, "the pool change");
    expect(Object.keys(source.current()!.pool)).to.deep.equal(["10.0.1.20", "10.0.1.21"]);
  });

  it("reports a deleted CiliumNode as not existing", async () => {
    api.put("node-a", { "10.0.1.20": "ocid1.vnic.oc1..second" });
    await source.start();
    await until(() => api.openWatches() === 1, "the watch");
    api.remove("node-a");
    await until(() => source.current()?.exists === false, "the deletion");
    expect(source.current()?.pool).to.deep.equal({});
  });

  it("re-lists when the server ends the watch, catching changes made in between", async () => {
    api.put("node-a", { "10.0.1.20": "ocid1.vnic.oc1..second" });
    await source.start();
    await until(() => api.openWatches() === 1, "the watch");
    api.endWatches();
    api.put("node-a", {});
    await until(() => source.current()?.pool["10.0.1.20"] === undefined, "the re-list");
    await until(() => api.openWatches() === 1, "a new watch");
  });

  it("stays unknown until a list succeeds, then reports a node that does not exist yet", async () => {
    api.listFailures = 2;
    await source.start();
    expect(source.current()).to.equal(undefined);
    await until(() => source.current() !== undefined, "a successful list");
    expect(source.current()).to.deep.equal({ exists: false, pool: {}, used: {} });
    expect(api.requests.filter((u) => !u.searchParams.has("watch")).length).to.equal(3);
  });
});
