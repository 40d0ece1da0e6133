import { expect } from "chai";
import { createKubeClients, type KubeClients } from "../../../lib/adapters/kube/clients";
import { watchCiliumNodes, type CiliumNodeEvent, type CiliumNodeWatch } from "../../../lib/adapters/kube/watch-cilium-nodes";
import { startKubeEmulator, type KubeEmulator } from "../../../lib/kube-emulator";
import { internalErrorFault } from "../../../lib/kube-emulator";
import type { JsonObject } from "../../../lib/kube-emulator";

const CN = "ciliumnodes.cilium.io";
const internal = internalErrorFault("injected list failure");
/** The watcher's identity: it may list and watch CiliumNodes, nothing more on them. */
const WATCHER = "ocipam-system/ocipam-watcher";

function ciliumNode(name: string): JsonObject {
  return { apiVersion: "cilium.io/v2", kind: "CiliumNode", metadata: { name }, spec: { ipam: { pool: {} } } };
}

async function withTimeout(p: Promise<void>, what: string, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs)));
  try {
    await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("CiliumNode watch (informer with restart)", () => {
  let emu: KubeEmulator;
  let clients: KubeClients;
  let watch: CiliumNodeWatch | undefined;
  let events: CiliumNodeEvent[];

  beforeEach(async () => {
    emu = await startKubeEmulator();
    const token = emu.tokens[WATCHER];
    expect(token, `emulator has a token for ${WATCHER}`).to.be.a("string");
    clients = createKubeClients({ kind: "token", server: emu.endpoint, token });
    events = [];
  });

  afterEach(async () => {
    await watch?.stop();
    watch = undefined;
    await emu.close();
  });

  const seen = (type: CiliumNodeEvent["type"], name: string) => events.some((e) => e.type === type && e.node.name === name);

  it("delivers existing CiliumNodes, then additions, changes and deletions", async () => {
    emu.store.create(CN, ciliumNode("w-1"));
    watch = watchCiliumNodes(clients, (e) => events.push(e), { restartDelayMs: 20 });
    await withTimeout(watch.synced, "the first sync");
    expect(seen("added", "w-1")).to.equal(true);

    emu.store.create(CN, ciliumNode("w-2"));
    emu.store.patch(CN, "w-1", { spec: { ipam: { pool: { "10.0.0.10": { resource: "v1" } } } } });
    emu.store.delete(CN, "w-2");
    await until(() => seen("deleted", "w-2"), "the deletion of w-2");
    expect(seen("added", "w-2")).to.equal(true);
    const update = events.find((e) => e.type === "updated" && e.node.name === "w-1");
    expect(update?.node.ipam.pool).to.deep.equal({ "10.0.0.10": { resource: "v1" } });
  });

  it("restarts after a failure that stops client-node's informer for good", async () => {
    emu.store.create(CN, ciliumNode("w-1"));
    // The first list answers 500: the informer emits error and would never try again on its own.
    emu.store.injectFault({ verb: "list", resource: CN, times: 1, error: internal });
    watch = watchCiliumNodes(clients, (e) => events.push(e), { restartDelayMs: 20 });
    await withTimeout(watch.synced, "the first sync");
    expect(seen("added", "w-1")).to.equal(true);
  });

  it("resumes after the server ends the watch, and relists after 410 Expired", async () => {
    watch = watchCiliumNodes(clients, (e) => events.push(e), { restartDelayMs: 20 });
    await withTimeout(watch.synced, "the first sync");
    await until(() => emu.store.openWatchCount() > 0, "an open watch");
    emu.store.closeWatches();
    emu.store.create(CN, ciliumNode("w-3"));
    await until(() => seen("added", "w-3"), "w-3 after the watch was closed");

    await until(() => emu.store.openWatchCount() > 0, "the watch to reopen");
    emu.store.compactHistory();
    emu.store.closeWatches();
    emu.store.create(CN, ciliumNode("w-4"));
    await until(() => seen("added", "w-4"), "w-4 after history was compacted");
  });

  it("stops for good: no events and no restart after stop(), despite the AbortError the informer emits", async () => {
    watch = watchCiliumNodes(clients, (e) => events.push(e), { restartDelayMs: 10 });
    await withTimeout(watch.synced, "the first sync");
    await until(() => emu.store.openWatchCount() > 0, "an open watch");
    await watch.stop();
    watch = undefined;
    await until(() => emu.store.openWatchCount() === 0, "the watch to close");
    emu.store.create(CN, ciliumNode("w-late"));
    await new Promise((r) => setTimeout(r, 100));
    expect(seen("added", "w-late")).to.equal(false);
    expect(emu.store.openWatchCount()).to.equal(0);
  });
});
