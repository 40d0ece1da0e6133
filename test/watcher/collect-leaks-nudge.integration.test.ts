import { expect } from "chai";
import { startWatcherEnv, type WatcherEnv } from "./harness";

const messagesOnStream = (env: WatcherEnv) =>
  env.oci.admin.snapshot().streams.find((s) => s.id === env.streamId)!.messagesPerPartition;

describe("watcher against the emulators: the periodic collect-leaks nudge", function () {
  this.timeout(30_000);
  let env: WatcherEnv;
  before(async () => {
    env = await startWatcherEnv();
  });
  after(async () => {
    await env?.close();
  });

  it(
    "puts a collect-leaks nudge on the stream every interval, all under " + "the cluster's key (one partition)",
    async () => {
      const w = await env.startWatcher({
        OCIPAM_WATCHER_COLLECT_LEAKS_SECONDS: "0.3",
        OCIPAM_WATCHER_LEADER_ELECTION: "false",
      });
      // No CiliumNode exists, so every message on the stream is the cluster nudge.
      await new Promise((r) => setTimeout(r, 1100));
      await w.stop();
      const perPartition = messagesOnStream(env);
      const total = perPartition.reduce((a, b) => a + b, 0);
      expect(total).to.be.within(2, 4);
      expect(perPartition.filter((n) => n > 0)).to.have.length(1);
      expect(await env.readNudges(), "no node nudge").to.deep.equal([]);
    },
  );
});
