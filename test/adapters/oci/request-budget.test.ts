import { expect } from "chai";
import { RequestBudget, type RequestBudgetOptions } from "../../../lib/adapters/oci/request-budget";
import { VirtualClock } from "./virtual-clock";

function budget(clock: VirtualClock, options: RequestBudgetOptions = {}): RequestBudget {
  return new RequestBudget({ now: clock.now, sleep: clock.sleep, ...options });
}

/** Acquires `n` tokens one after another; returns the grant times relative to the start. */
async function grants(clock: VirtualClock, b: RequestBudget, n: number): Promise<number[]> {
  const t0 = clock.now();
  const times: number[] = [];
  await clock.run(
    (async () => {
      for (let i = 0; i < n; i++) {
        expect(await b.acquire()).to.equal(true);
        times.push(clock.now() - t0);
      }
    })(),
  );
  return times;
}

describe("OCI request budget (token bucket with AIMD on 429)", () => {
  it("hands out a full burst at once, then one token per 1/rate", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, { ratePerSecond: 10, burst: 3 });
    expect(await grants(clock, b, 6)).to.deep.equal([0, 0, 0, 100, 200, 300]);
    expect(b.snapshot()).to.include({ acquired: 6, refused: 0, throttles: 0 });
  });

  it("refills up to the burst after a quiet period, never beyond", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, { ratePerSecond: 10, burst: 2 });
    await grants(clock, b, 2);
    await clock.run(clock.sleep(10_000));
    expect(await grants(clock, b, 3)).to.deep.equal([0, 0, 100]);
  });

  it("refuses, without taking a token, when the token would come after the latest start", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, { ratePerSecond: 2, burst: 1 });
    await grants(clock, b, 1);
    expect(await clock.run(b.acquire(clock.now() + 100))).to.equal(false);
    expect(b.snapshot().refused).to.equal(1);
    // The refused call took nothing: the next token still comes 500 ms after the first grant.
    expect(await grants(clock, b, 1)).to.deep.equal([500]);
  });

  it("on a 429 pauses every caller, drains the burst and halves the rate", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, {
      ratePerSecond: 10,
      burst: 10,
      throttlePauseMs: 1000,
      recoveryPerSecond: 0.001,
      decreaseFactor: 0.5,
    });
    b.throttled();
    const t = await grants(clock, b, 3);
    // Nothing during the pause; afterwards 5/s (200 ms apart) instead of 10/s.
    expect(t[0]).to.be.at.least(1000);
    expect(t[1] - t[0]).to.be.within(199, 201);
    expect(t[2] - t[1]).to.be.within(199, 201);
    expect(b.snapshot().rateCuts).to.equal(1);
  });

  it("cuts the rate once for the 429s of one burst", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, { ratePerSecond: 8, burst: 8, throttlePauseMs: 500, decreaseFactor: 0.5 });
    const sentAt = clock.now();
    for (let i = 0; i < 5; i++) b.throttled(sentAt);
    // A late 429 of a request sent before the cut, arriving after the pause, does not cut again either.
    await clock.run(clock.sleep(600));
    b.throttled(sentAt);
    const s = b.snapshot();
    expect(s).to.include({ throttles: 6, rateCuts: 1 });
    expect(s.currentRatePerSecond).to.be.within(4, 4.2);
  });

  it("cuts again for a 429 of a request sent after the previous cut", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, {
      ratePerSecond: 8,
      burst: 8,
      throttlePauseMs: 500,
      recoveryPerSecond: 0.001,
      decreaseFactor: 0.5,
    });
    b.throttled(clock.now());
    await clock.run(clock.sleep(600));
    b.throttled(clock.now() - 10);
    const s = b.snapshot();
    expect(s.rateCuts).to.equal(2);
    expect(s.currentRatePerSecond).to.be.within(1.99, 2.01);
  });

  it("recovers additively after the pause, back to the configured rate and no further", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, {
      ratePerSecond: 10,
      burst: 10,
      throttlePauseMs: 1000,
      recoveryPerSecond: 2,
      decreaseFactor: 0.5,
    });
    b.throttled();
    const at = (ms: number) => b.rateAt(clock.now() + ms);
    expect(at(500)).to.equal(5);
    expect(at(1000)).to.equal(5);
    expect(at(2000)).to.equal(7);
    expect(at(3500)).to.equal(10);
    expect(at(60_000)).to.equal(10);
  });

  it("by default cuts the rate to 0.7 of itself and pauses for one token's interval at the cut rate", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, { ratePerSecond: 10, burst: 10, recoveryPerSecond: 0.001 });
    const t0 = clock.now();
    b.throttled();
    expect(b.snapshot().currentRatePerSecond).to.be.within(6.99, 7.01);
    const t = await grants(clock, b, 2);
    // Paused 1000 / 7 ≈ 143 ms, then one token per 143 ms (the drained bucket refills at the cut rate).
    expect(t[0]! + (clock.now() - t0 - t[1]!)).to.be.within(280, 300);
    expect(t[1]! - t[0]!).to.be.within(140, 146);
  });

  it(
    "shrinks the burst with the rate: after a cut and a quiet second only " + "the cut share of the burst is there",
    async () => {
      const clock = new VirtualClock();
      const b = budget(clock, {
        ratePerSecond: 10,
        burst: 20,
        decreaseFactor: 0.5,
        throttlePauseMs: 0,
        recoveryPerSecond: 0.001,
      });
      b.throttled();
      await clock.run(clock.sleep(5_000));
      // Rate 5 of 10: a bucket of 10 tokens, not 20; the eleventh waits 200 ms.
      const t = await grants(clock, b, 11);
      expect(t.slice(0, 10).every((v) => v === 0)).to.equal(true);
      expect(t[10]).to.be.within(195, 201); // the rate has crept up by 0.005/s meanwhile
    },
  );

  it("cuts the rate calls were taken at over the last second when that is below the allowed rate", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, { ratePerSecond: 1000, burst: 200, recoveryPerSecond: 0.001 });
    // 30 calls in the last second of a budget allowing 1000/s: a 429 brings it to 0.7 × 30, not 700.
    await clock.run(
      (async () => {
        for (let i = 0; i < 30; i++) {
          await b.acquire();
          await clock.sleep(33);
        }
      })(),
    );
    b.throttled();
    expect(b.snapshot().currentRatePerSecond).to.be.within(20.9, 21.1);
  });

  it("never drops below the minimum rate", () => {
    const clock = new VirtualClock();
    const b = budget(clock, { ratePerSecond: 4, minRatePerSecond: 1, throttlePauseMs: 0, recoveryPerSecond: 0.0001 });
    for (let i = 0; i < 10; i++) b.throttled();
    expect(b.snapshot().currentRatePerSecond).to.be.within(1, 1.01);
  });

  it("shares one pause among concurrent waiters", async () => {
    const clock = new VirtualClock();
    const b = budget(clock, { ratePerSecond: 100, burst: 100, throttlePauseMs: 2000 });
    const t0 = clock.now();
    b.throttled();
    const times = await clock.run(Promise.all([1, 2, 3, 4, 5].map(async () => (await b.acquire(), clock.now() - t0))));
    for (const t of times) expect(t).to.be.at.least(2000);
  });

  it("rejects nonsensical settings", () => {
    expect(() => new RequestBudget({ ratePerSecond: 0 })).to.throw(RangeError);
    expect(() => new RequestBudget({ burst: -1 })).to.throw(RangeError);
    expect(() => new RequestBudget({ decreaseFactor: 1 })).to.throw(RangeError);
  });
});
