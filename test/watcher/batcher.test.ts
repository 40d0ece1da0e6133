import { expect } from "chai";
import { PutBatcher, type BatchItem } from "../../events/watcher/batcher";
import { entryJsonBytes, REQUEST_ENVELOPE_BYTES, STREAM_REQUEST_MAX_BYTES } from "../../events/watcher/publisher";
import { FakeScheduler, flush } from "./fake-scheduler";

function entry(i: number, valueBytes = 600) {
  return {
    key: Buffer.from(`node-${i}`).toString("base64"),
    value: Buffer.alloc(valueBytes, i % 256).toString("base64"),
  };
}

interface Harness {
  scheduler: FakeScheduler;
  batcher: PutBatcher<number>;
  sent: Array<{ at: number; items: number[] }>;
  /** Resolves the oldest unfinished send. */
  finish(): Promise<void>;
}

function harness(
  options: { maxMessages?: number; maxBytes?: number; flushMs?: number; manual?: boolean } = {},
): Harness {
  const scheduler = new FakeScheduler(0);
  const sent: Harness["sent"] = [];
  const open: Array<() => void> = [];
  const batcher = new PutBatcher<number>({
    maxMessages: options.maxMessages ?? 500,
    maxBytes: options.maxBytes ?? STREAM_REQUEST_MAX_BYTES,
    flushMs: options.flushMs ?? 100,
    scheduler,
    send: (items: Array<BatchItem<number>>) => {
      sent.push({ at: scheduler.now(), items: items.map((i) => i.meta) });
      return options.manual ? new Promise<void>((resolve) => open.push(resolve)) : Promise.resolve();
    },
  });
  return {
    scheduler,
    batcher,
    sent,
    finish: async () => {
      open.shift()?.();
      await flush();
    },
  };
}

describe("put batching", () => {
  it("sends a burst of 100 nudges in one request after the flush interval", async () => {
    const h = harness();
    for (let i = 0; i < 100; i++) h.batcher.add(entry(i), i);
    await h.scheduler.advance(99);
    expect(h.sent).to.have.length(0);
    await h.scheduler.advance(1);
    expect(h.sent).to.have.length(1);
    expect(h.sent[0]!.items).to.have.length(100);
    expect(h.sent[0]!.at).to.equal(100);
  });

  it("lets a lone nudge wait at most the flush interval", async () => {
    const h = harness({ flushMs: 100 });
    h.batcher.add(entry(1), 1);
    await h.scheduler.advance(100);
    expect(h.sent).to.deep.equal([{ at: 100, items: [1] }]);
  });

  it("sends a full batch at once without waiting for the interval, and keeps the order", async () => {
    const h = harness({ maxMessages: 40 });
    for (let i = 0; i < 100; i++) h.batcher.add(entry(i), i);
    await flush();
    expect(h.sent.map((s) => s.items.length)).to.deep.equal([40, 40, 20]);
    expect(h.sent.every((s) => s.at === 0)).to.equal(true);
    expect(h.sent.flatMap((s) => s.items)).to.deep.equal([...Array(100).keys()]);
  });

  it("keeps every request body within the byte limit", async () => {
    const one = entryJsonBytes(entry(0, 3000));
    const maxBytes = REQUEST_ENVELOPE_BYTES + 5 * one + 10; // room for 5 entries, not 6
    const h = harness({ maxBytes });
    for (let i = 0; i < 12; i++) h.batcher.add(entry(i, 3000), i);
    await h.scheduler.advance(100);
    expect(h.sent.map((s) => s.items.length)).to.deep.equal([5, 5, 2]);
  });

  it("keeps the default limits within Streaming's 1 MiB for a thousand nudges of the largest size", async () => {
    const h = harness();
    const big = (i: number) => entry(i, 3000); // base64 of 3000 bytes ≈ a nudge at its 4 KiB cap
    for (let i = 0; i < 1000; i++) h.batcher.add(big(i), i);
    await h.scheduler.advance(100);
    for (const s of h.sent) {
      const bytes = REQUEST_ENVELOPE_BYTES + s.items.reduce((sum, i) => sum + entryJsonBytes(big(i)), 0);
      expect(bytes).to.be.at.most(STREAM_REQUEST_MAX_BYTES);
    }
    expect(h.sent.flatMap((s) => s.items)).to.have.length(1000);
  });

  it("runs one request at a time and sends what piled up as soon as it ends", async () => {
    const h = harness({ manual: true });
    h.batcher.add(entry(1), 1);
    await h.scheduler.advance(100);
    expect(h.sent).to.have.length(1);
    h.batcher.add(entry(2), 2);
    h.batcher.add(entry(3), 3);
    await h.scheduler.advance(500);
    expect(h.sent).to.have.length(1, "nothing is sent while a request runs");
    await h.finish();
    expect(h.sent).to.have.length(2);
    expect(h.sent[1]!.items).to.deep.equal([2, 3]);
    await h.finish();
    await h.batcher.idle();
  });

  it("drops queued nudges on clear and sends nothing afterwards", async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) h.batcher.add(entry(i), i);
    expect(h.batcher.clear().map((d) => d.meta)).to.deep.equal([0, 1, 2]);
    await h.scheduler.advance(1000);
    expect(h.sent).to.deep.equal([]);
    expect(h.batcher.pending()).to.equal(0);
  });

  it("keeps going after a send that rejects", async () => {
    const scheduler = new FakeScheduler(0);
    let calls = 0;
    const batcher = new PutBatcher<number>({
      maxMessages: 10,
      maxBytes: STREAM_REQUEST_MAX_BYTES,
      flushMs: 10,
      scheduler,
      send: () => (++calls === 1 ? Promise.reject(new Error("boom")) : Promise.resolve()),
    });
    batcher.add(entry(1), 1);
    await scheduler.advance(10);
    batcher.add(entry(2), 2);
    await scheduler.advance(10);
    expect(calls).to.equal(2);
  });
});
