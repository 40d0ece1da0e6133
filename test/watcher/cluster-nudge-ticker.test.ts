import { expect } from "chai";
import { ClusterNudgeTicker } from "../../events/watcher/cluster-nudge-ticker";
import type { EntryResult, NudgePublisher } from "../../events/watcher/publisher";
import { decodeInvocationBody } from "../../events/contracts";
import type { StreamEntry } from "../../events/contracts";
import { FakeScheduler } from "./fake-scheduler";

class RecordingPublisher implements NudgePublisher {
  readonly puts: Array<{ entries: StreamEntry[]; at: number }> = [];
  fail = false;
  constructor(private readonly scheduler: FakeScheduler) {}
  async publish(entries: StreamEntry[]): Promise<EntryResult[]> {
    this.puts.push({ entries, at: this.scheduler.now() });
    if (this.fail) throw new Error("stream unavailable");
    return entries.map(() => ({ ok: true }));
  }
  async close(): Promise<void> {}
}

const MIN = 60_000;

describe("watcher: periodic collect-leaks nudge", () => {
  function setup(intervalMs = 5 * MIN, leader = () => true) {
    const scheduler = new FakeScheduler();
    const publisher = new RecordingPublisher(scheduler);
    const ticker = new ClusterNudgeTicker({ clusterName: "prod", intervalMs, publisher, scheduler, isLeader: leader });
    return { scheduler, publisher, ticker };
  }

  it(
    "publishes one collect-leaks nudge per interval while leading, the " + "first one interval after leading starts",
    async () => {
      const { scheduler, publisher, ticker } = setup();
      ticker.setLeading(true);
      await scheduler.advance(5 * MIN - 1);
      expect(publisher.puts).to.have.length(0);
      await scheduler.advance(1);
      await scheduler.advance(10 * MIN);
      expect(publisher.puts.map((p) => p.at - publisher.puts[0]!.at)).to.deep.equal([0, 5 * MIN, 10 * MIN]);
      expect(ticker.published).to.equal(3);
      // Keyed by the cluster name, and what the function decodes as the cluster nudge.
      const entry = publisher.puts[0]!.entries[0]!;
      expect(Buffer.from(entry.key, "base64").toString()).to.equal("prod");
      const decoded = decodeInvocationBody(JSON.parse(Buffer.from(entry.value, "base64").toString()));
      expect(decoded.records).to.have.length(1);
      expect(decoded.records[0]).to.include({
        kind: "cluster",
        cluster: "prod",
        type: "io.ocipam.cluster.collect-leaks",
      });
      await ticker.stop();
    },
  );

  it("stops when leadership is lost and publishes nothing as a follower", async () => {
    const { scheduler, publisher, ticker } = setup();
    ticker.setLeading(true);
    await scheduler.advance(5 * MIN);
    ticker.setLeading(false);
    await scheduler.advance(30 * MIN);
    expect(publisher.puts).to.have.length(1);
    expect(scheduler.pendingTimers()).to.equal(0);
  });

  it("skips a put when the Lease was lost meanwhile", async () => {
    let leading = true;
    const { scheduler, publisher, ticker } = setup(5 * MIN, () => leading);
    ticker.setLeading(true);
    leading = false;
    await scheduler.advance(5 * MIN);
    expect(publisher.puts).to.have.length(0);
    await ticker.stop();
  });

  it("tries again at the next interval after a failed put", async () => {
    const { scheduler, publisher, ticker } = setup();
    publisher.fail = true;
    ticker.setLeading(true);
    await scheduler.advance(5 * MIN);
    expect(ticker.failures).to.equal(1);
    publisher.fail = false;
    await scheduler.advance(5 * MIN);
    expect(ticker.published).to.equal(1);
    expect(publisher.puts).to.have.length(2);
    await ticker.stop();
  });

  it("publishes nothing when the interval is 0", async () => {
    const { scheduler, publisher, ticker } = setup(0);
    ticker.setLeading(true);
    await scheduler.advance(60 * MIN);
    expect(publisher.puts).to.have.length(0);
    expect(scheduler.pendingTimers()).to.equal(0);
  });
});
