import { expect } from "chai";
import { NudgeCoalescer, type NodeSnapshot } from "../../events/watcher/coalescer";
import type { NodeNudgeReason } from "../../events/contracts";

const RESYNC = 60_000;
const RETRY = 2_000;

function snap(name: string, reason: NodeNudgeReason | undefined, rv = "1", needed = 8): NodeSnapshot {
  return {
    name,
    uid: `uid-${name}`,
    resourceVersion: rv,
    reason,
    observed: { available: 0, used: 0, needed: reason === "needs-addresses" ? needed : 0, excess: 0 },
  };
}

function coalescer(): NudgeCoalescer {
  return new NudgeCoalescer({ resyncMs: RESYNC, failureRetryMs: RETRY, failureRetryMaxMs: 30_000 });
}

describe("nudge coalescing", () => {
  it("emits at once for a node that starts needing addresses", () => {
    const c = coalescer();
    const r = c.observe(snap("a", "needs-addresses"), 0);
    expect(r).to.include({ node: "a", reason: "needs-addresses", resourceVersion: "1", repeat: false });
  });

  it("emits nothing for a node that needs nothing, at any time", () => {
    const c = coalescer();
    expect(c.observe(snap("a", undefined), 0)).to.equal(undefined);
    expect(c.tick(10 * RESYNC)).to.deep.equal([]);
  });

  it("keeps at most one outstanding nudge per node and reason while it is in flight", () => {
    const c = coalescer();
    c.observe(snap("a", "needs-addresses", "1"), 0);
    expect(c.observe(snap("a", "needs-addresses", "2", 5), 10)).to.equal(undefined);
    expect(c.tick(5 * RESYNC)).to.deep.equal([], "an in-flight nudge is never re-emitted before its publish resolves");
  });

  it(
    "stays quiet within the resync interval after a publish, then re-emits " +
      "the unresolved node with its latest state",
    () => {
      const c = coalescer();
      const first = c.observe(snap("a", "needs-addresses", "1"), 0)!;
      c.published("a", first.ticket, 100);
      expect(c.observe(snap("a", "needs-addresses", "2", 5), 1_000)).to.equal(undefined);
      expect(c.tick(100 + RESYNC - 1)).to.deep.equal([]);
      const again = c.tick(100 + RESYNC);
      expect(again).to.have.length(1);
      expect(again[0]).to.include({ node: "a", reason: "needs-addresses", resourceVersion: "2", repeat: true });
      expect(again[0]!.observed.needed).to.equal(5);
    },
  );

  it("re-emits again one interval after each re-emission while the node stays unresolved", () => {
    const c = coalescer();
    const times: number[] = [];
    let r = c.observe(snap("a", "needs-addresses"), 0)!;
    c.published("a", r.ticket, 0);
    for (let t = 1_000; t <= 4 * RESYNC; t += 1_000) {
      for (const e of c.tick(t)) {
        times.push(t);
        r = e;
        c.published("a", e.ticket, t);
      }
    }
    expect(times).to.deep.equal([RESYNC, 2 * RESYNC, 3 * RESYNC, 4 * RESYNC]);
  });

  it("falls silent once the node is satisfied (the function's own pool write ends the conversation)", () => {
    const c = coalescer();
    const r = c.observe(snap("a", "needs-addresses", "1"), 0)!;
    c.published("a", r.ticket, 50);
    expect(c.observe(snap("a", undefined, "2"), 500)).to.equal(undefined);
    expect(c.observe(snap("a", undefined, "3"), 600)).to.equal(
      undefined,
      "later writes to a satisfied node are not nudges",
    );
    expect(c.tick(10 * RESYNC)).to.deep.equal([]);
    expect(c.names()).to.deep.equal([]);
  });

  it("emits at once when a satisfied node needs addresses again", () => {
    const c = coalescer();
    const r = c.observe(snap("a", "needs-addresses", "1"), 0)!;
    c.published("a", r.ticket, 10);
    c.observe(snap("a", undefined, "2"), 20);
    expect(c.observe(snap("a", "needs-addresses", "3"), 30)).to.include({ resourceVersion: "3", repeat: false });
  });

  it("emits at once when the reason changes, even while the previous nudge is outstanding", () => {
    const c = coalescer();
    c.observe(snap("a", "needs-addresses"), 0);
    expect(c.observe(snap("a", "resync", "2"), 10)).to.include({ reason: "resync", repeat: false });
  });

  it("retries a failed publish after a delay that doubles per failure and is capped", () => {
    const c = new NudgeCoalescer({ resyncMs: RESYNC, failureRetryMs: 1_000, failureRetryMaxMs: 4_000 });
    let r = c.observe(snap("a", "needs-addresses"), 0)!;
    const retries: number[] = [];
    let now = 0;
    for (let i = 0; i < 5; i++) {
      c.failed("a", r.ticket, now);
      const failedAt = now;
      let next: ReturnType<typeof c.tick> = [];
      while (next.length === 0) {
        now += 100;
        next = c.tick(now);
      }
      retries.push(now - failedAt);
      r = next[0]!;
    }
    expect(retries).to.deep.equal([1_000, 2_000, 4_000, 4_000, 4_000]);
  });

  it("ignores the answer about an emission that was superseded", () => {
    const c = coalescer();
    const old = c.observe(snap("a", "needs-addresses"), 0)!;
    const fresh = c.observe(snap("a", "resync", "2"), 10)!;
    c.failed("a", old.ticket, 20);
    expect(c.tick(20 + RETRY)).to.deep.equal([], "the stale failure must not schedule a retry of the new emission");
    c.published("a", fresh.ticket, 30);
    expect(c.tick(30 + RESYNC)).to.have.length(1);
  });

  it("forgets a deleted node", () => {
    const c = coalescer();
    const r = c.observe(snap("a", "needs-addresses"), 0)!;
    c.published("a", r.ticket, 0);
    c.forget("a");
    expect(c.tick(10 * RESYNC)).to.deep.equal([]);
    c.published("a", r.ticket, 0);
    expect(c.names()).to.deep.equal([]);
  });

  it("re-emits every unresolved node after a reset (a new leader does not know what was published)", () => {
    const c = coalescer();
    for (const n of ["a", "b"]) {
      const r = c.observe(snap(n, "needs-addresses"), 0)!;
      c.published(n, r.ticket, 0);
    }
    c.reset();
    expect(c.observe(snap("a", "needs-addresses"), 1)).to.include({ node: "a", repeat: false });
    expect(c.observe(snap("b", "needs-addresses"), 1)).to.include({ node: "b", repeat: false });
  });

  it("tracks nodes independently", () => {
    const c = coalescer();
    const a = c.observe(snap("a", "needs-addresses"), 0)!;
    c.published("a", a.ticket, 0);
    expect(c.observe(snap("b", "needs-addresses"), 10)).to.include({ node: "b" });
    expect(c.observe(snap("a", "needs-addresses", "2"), 20)).to.equal(undefined);
  });
});
