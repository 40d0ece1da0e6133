import { expect } from "chai";
import { RequestBudget, type RequestBudgetOptions } from "../../../lib/adapters/oci/request-budget";
import { VirtualClock } from "./virtual-clock";

/** A service that throttles: a token bucket of `burst` refilled at `limit` per second; beyond it, 429. */
class ThrottlingService {
  private tokens: number;
  private last: number;
  constructor(
    private readonly limit: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }
  admit(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.limit);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface Scenario {
  limit: number;
  serviceBurst: number;
  /** Processes (function containers), each with its own budget, against the one service. */
  processes: number;
  /** Concurrent callers per process (4 nodes × 8 CreatePrivateIp as shipped). */
  callers: number;
  budget: RequestBudgetOptions;
  successes: number;
  /** Unthrottled reads (100 ms) each caller sends before every throttled call: they take tokens too. */
  readsPerCall?: number;
}

/**
 * Callers that each take a token, send, and on a 429 tell the budget and retry after 100 ms (the adapters' retry
 * policy waits 0–200 ms before the first retry); answers take 400 ms, 429s 50 ms (CreatePrivateIp in the emulator's
 * realistic profile). Returns successes per second from the first send to the last answer, and the 429s.
 */
async function simulate(s: Scenario): Promise<{ perSecond: number; throttled: number; overFiveAttempts: number }> {
  const clock = new VirtualClock();
  const service = new ThrottlingService(s.limit, s.serviceBurst, clock.now());
  const t0 = clock.now();
  let done = 0;
  let throttled = 0;
  let lastAnswer = t0;
  // Calls that needed more than 5 attempts: the adapters' retry policy gives up after 5 (RetryPolicyOptions).
  let overFiveAttempts = 0;
  const caller = async (budget: RequestBudget) => {
    let attempts = 0;
    while (done < s.successes) {
      for (let r = 0; r < (s.readsPerCall ?? 0); r++) {
        await budget.acquire();
        await clock.sleep(100);
      }
      await budget.acquire();
      attempts += 1;
      const sentAt = clock.now();
      if (service.admit(sentAt)) {
        await clock.sleep(400);
        if (done < s.successes) lastAnswer = clock.now();
        done += 1;
        if (attempts > 5) overFiveAttempts += 1;
        attempts = 0;
      } else {
        await clock.sleep(50);
        throttled += 1;
        budget.throttled(sentAt);
        await clock.sleep(100);
      }
    }
  };
  const budgets = Array.from(
    { length: s.processes },
    () => new RequestBudget({ now: clock.now, sleep: clock.sleep, ...s.budget }),
  );
  await clock.run(Promise.all(budgets.flatMap((b) => Array.from({ length: s.callers }, () => caller(b)))));
  return { perSecond: Math.min(done, s.successes) / ((lastAnswer - t0) / 1000), throttled, overFiveAttempts };
}

describe("OCI request budget against a throttling service (virtual time)", () => {
  const cases: Array<{ name: string; scenario: Scenario; atLeast: number }> = [
    {
      name: "one process at the shipped budget (10/s, burst 20) against 5/s turns ≥ 0.9 of the limit into successes",
      scenario: {
        limit: 5,
        serviceBurst: 5,
        processes: 1,
        callers: 32,
        budget: { ratePerSecond: 10, burst: 20 },
        successes: 300,
      },
      atLeast: 0.9,
    },
    {
      name: "one process with a generous budget (1000/s, burst 200) against 5/s still reaches ≥ 0.9 of the limit",
      scenario: {
        limit: 5,
        serviceBurst: 5,
        processes: 1,
        callers: 32,
        budget: { ratePerSecond: 1000, burst: 200 },
        successes: 300,
      },
      atLeast: 0.9,
    },
    {
      name: "one process at the shipped budget whose reads take a token per call as well still reaches ≥ 0.9 of 5/s",
      scenario: {
        limit: 5,
        serviceBurst: 5,
        processes: 1,
        callers: 32,
        budget: { ratePerSecond: 10, burst: 20 },
        successes: 300,
        readsPerCall: 1,
      },
      atLeast: 0.9,
    },
    {
      name: "three processes of 10/s each sharing a 10/s limit reach ≥ 0.9 of it together",
      scenario: {
        limit: 10,
        serviceBurst: 10,
        processes: 3,
        callers: 32,
        budget: { ratePerSecond: 10, burst: 20 },
        successes: 600,
      },
      atLeast: 0.9,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await simulate(c.scenario);
      const text = `${r.perSecond.toFixed(2)}/s, ${r.throttled} 429s, ${r.overFiveAttempts} calls over 5 attempts`;
      if (process.env.BUDGET_SIM_PRINT) console.log(text);
      expect(r.perSecond / c.scenario.limit, text).to.be.at.least(c.atLeast);
      // Retries must not run out: a call that needs a sixth attempt fails in the adapters.
      expect(r.overFiveAttempts, text).to.be.at.most(c.scenario.successes / 100);
    });
  }
});
