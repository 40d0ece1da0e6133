import { expect } from "chai";
import * as common from "oci-common";
import { OciDeadlineError } from "../../../lib/adapters/oci/errors";
import { RequestBudget } from "../../../lib/adapters/oci/request-budget";
import { RetryPolicy, type RetryEvent } from "../../../lib/adapters/oci/retry";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { VirtualClock } from "./virtual-clock";
import { caught } from "../../support/capture";

/** A service error exactly as oci-common 2.139.1 builds it (lib/helper.js handleErrorResponse). */
function sdkError(status: number, code: string): common.OciError {
  return new common.OciError(
    status,
    code,
    `${code} (test)`,
    `req-${status}-${code}`,
    "Core",
    "CreatePrivateIp",
    new Date().toISOString(),
    "POST http://x/20160918/privateIps",
    "",
  );
}
/** The plain object the SDK's retrier throws for a connection failure (lib/retrier.js catch branch). */
const fetchFailed = () => ({
  code: undefined,
  message: "fetch failed",
  requestEndpoint: "GET http://127.0.0.1:1/20160918/vnics/x",
  troubleshootingPage: "See ...",
});

function policy(clock: VirtualClock, options: ConstructorParameters<typeof RetryPolicy>[0] = {}): RetryPolicy {
  return new RetryPolicy({
    random: () => 0.5,
    now: clock.now,
    sleep: clock.sleep,
    setTimer: clock.setTimer,
    ...options,
  });
}

/** An attempt function that fails with `failures` in order, then answers "ok"; records attempt start times. */
function script(clock: VirtualClock, failures: unknown[]) {
  const starts: number[] = [];
  const fn = async () => {
    starts.push(clock.now());
    const next = failures.shift();
    if (next !== undefined) throw next;
    return "ok";
  };
  return { fn, starts };
}

describe("OCI retry policy", () => {
  const table: Array<{ what: string; error: () => unknown; retried: boolean; status?: number; code?: string }> = [
    { what: "500 InternalServerError", error: () => sdkError(500, "InternalServerError"), retried: true },
    { what: "502 BadGateway", error: () => sdkError(502, "BadGateway"), retried: true },
    { what: "503 ServiceUnavailable", error: () => sdkError(503, "ServiceUnavailable"), retried: true },
    { what: "504 GatewayTimeout", error: () => sdkError(504, "GatewayTimeout"), retried: true },
    { what: "429 TooManyRequests", error: () => sdkError(429, "TooManyRequests"), retried: true },
    { what: "409 IncorrectState", error: () => sdkError(409, "IncorrectState"), retried: true },
    { what: "a connection failure (plain object, no status)", error: fetchFailed, retried: true },
    { what: "409 Conflict", error: () => sdkError(409, "Conflict"), retried: false, status: 409, code: "Conflict" },
    {
      what: "409 InvalidatedRetryToken",
      error: () => sdkError(409, "InvalidatedRetryToken"),
      retried: false,
      status: 409,
      code: "InvalidatedRetryToken",
    },
    {
      what: "400 LimitExceeded",
      error: () => sdkError(400, "LimitExceeded"),
      retried: false,
      status: 400,
      code: "LimitExceeded",
    },
    {
      what: "400 InvalidParameter",
      error: () => sdkError(400, "InvalidParameter"),
      retried: false,
      status: 400,
      code: "InvalidParameter",
    },
    {
      what: "401 NotAuthenticated",
      error: () => sdkError(401, "NotAuthenticated"),
      retried: false,
      status: 401,
      code: "NotAuthenticated",
    },
    {
      what: "409 ExternalServerIncorrectState",
      error: () => sdkError(409, "ExternalServerIncorrectState"),
      retried: true,
    },
    {
      what: "404 NotFound (no such operation)",
      error: () => sdkError(404, "NotFound"),
      retried: false,
      status: 404,
      code: "NotFound",
    },
    {
      what: "412 NoEtagMatch",
      error: () => sdkError(412, "NoEtagMatch"),
      retried: false,
      status: 412,
      code: "NoEtagMatch",
    },
    {
      what: "a local SDK error (request validation)",
      error: () => new Error("Missing the required parameter 'vnicId'"),
      retried: false,
    },
  ];
  for (const row of table) {
    it(
      row.retried
        ? `retries after ${row.what} and returns the next attempt's answer`
        : `does not retry ${row.what} and throws it as OciApiError`,
      async () => {
        const clock = new VirtualClock();
        const { fn, starts } = script(clock, [row.error()]);
        const run = policy(clock).run("CreatePrivateIp", fn);
        if (row.retried) {
          const r = await clock.run(run);
          expect(r).to.deep.equal({ value: "ok", attempts: 2 });
        } else {
          const err = await clock.run(run).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).to.be.instanceOf(OciApiError);
          const e = err as OciApiError;
          expect(e.retryable).to.equal(false);
          expect(e.context.retriesStopped).to.equal("not-retryable");
          if (row.status) expect({ s: e.statusCode, c: e.serviceCode }).to.deep.equal({ s: row.status, c: row.code });
          expect(starts).to.have.length(1);
        }
      },
    );
  }

  it("waits with full jitter: uniform below min(cap, base·2^(n-1))", () => {
    const clock = new VirtualClock();
    const high = policy(clock, { random: () => 0.999999, baseDelayMs: 200, maxDelayMs: 5000 });
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((n) => high.backoffMs(n))).to.deep.equal([
      199, 399, 799, 1599, 3199, 4999, 4999, 4999,
    ]);
    const low = policy(clock, { random: () => 0 });
    expect([1, 5, 9].map((n) => low.backoffMs(n))).to.deep.equal([0, 0, 0]);
    const half = policy(clock, { random: () => 0.5 });
    expect([1, 2, 3].map((n) => half.backoffMs(n))).to.deep.equal([100, 200, 400]);
  });

  it("stops after maxAttempts with the last error, recording attempts and why it stopped", async () => {
    const clock = new VirtualClock();
    const { fn, starts } = script(
      clock,
      Array.from({ length: 10 }, () => sdkError(503, "ServiceUnavailable")),
    );
    const retries: RetryEvent[] = [];
    const err = await caught<OciApiError>(() =>
      clock.run(policy(clock, { maxAttempts: 4 }).run("GetVnic", fn, { onRetry: (e) => retries.push(e) })),
    );
    expect(err).to.be.instanceOf(OciApiError);
    expect(err.statusCode).to.equal(503);
    expect(err.context).to.include({ attempts: 4, retriesStopped: "max-attempts" });
    expect(starts).to.have.length(4);
    // random 0.5 → 100, 200, 400 ms between attempts.
    expect(starts.slice(1).map((t, i) => t - starts[i])).to.deep.equal([100, 200, 400]);
    expect(retries.map((r) => [r.attempt, r.delayMs])).to.deep.equal([
      [1, 100],
      [2, 200],
      [3, 400],
    ]);
  });

  it("never starts an attempt that has less than minAttemptMs left before the deadline", async () => {
    const clock = new VirtualClock();
    const deadline = new Date(clock.now() + 1500);
    const { fn, starts } = script(
      clock,
      Array.from({ length: 50 }, () => sdkError(500, "InternalServerError")),
    );
    const err = await caught<OciApiError>(() =>
      clock.run(
        policy(clock, { random: () => 0.999, maxAttempts: 50, minAttemptMs: 250 }).run("GetVnic", fn, { deadline }),
      ),
    );
    expect(err.statusCode).to.equal(500);
    expect(err.context.retriesStopped).to.equal("deadline");
    for (const s of starts) expect(s + 250).to.be.at.most(deadline.getTime());
    // 0, +199, +399 (=598), +799 (=1397 > 1250): the fourth is not started.
    expect(starts.map((s) => s - starts[0])).to.deep.equal([0, 199, 598]);
    expect(clock.now()).to.be.below(deadline.getTime());
  });

  it("throws OciDeadlineError without calling when the deadline leaves no room for one attempt", async () => {
    const clock = new VirtualClock();
    const { fn, starts } = script(clock, []);
    const err = await caught(() =>
      clock.run(policy(clock).run("GetVnic", fn, { deadline: new Date(clock.now() + 100) })),
    );
    expect(err).to.be.instanceOf(OciDeadlineError);
    expect((err as OciDeadlineError).reason).to.equal("OciDeadlineExceeded");
    expect((err as OciDeadlineError).retryable).to.equal(true);
    expect(starts).to.have.length(0);
  });

  it("aborts an attempt still running at the deadline and reports it as a timeout", async () => {
    const clock = new VirtualClock();
    const deadline = new Date(clock.now() + 2000);
    let abortedAt: number | undefined;
    const hang = ({ signal }: { signal: AbortSignal }) =>
      new Promise<string>((_, reject) => {
        signal.addEventListener("abort", () => {
          abortedAt = clock.now();
          // What the SDK throws when fetch is aborted (measured: retrier.js copies code and message only).
          reject({
            code: 20,
            message: "This operation was aborted",
            requestEndpoint: "GET http://x",
            troubleshootingPage: "...",
          });
        });
      });
    const err = await caught<OciApiError>(() => clock.run(policy(clock).run("GetInstance", hang, { deadline })));
    expect(abortedAt).to.equal(deadline.getTime());
    expect(err.serviceCode).to.equal("RequestTimeout");
    expect(err.context).to.include({ attempts: 1, retriesStopped: "deadline" });
  });

  it("aborts an attempt after attemptTimeoutMs and retries it", async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const slowThenFast = ({ signal }: { signal: AbortSignal }) => {
      calls += 1;
      if (calls > 1) return Promise.resolve("ok");
      return new Promise<string>((_, reject) =>
        signal.addEventListener("abort", () =>
          reject({ message: "The operation was aborted due to timeout", requestEndpoint: "x" }),
        ),
      );
    };
    const r = await clock.run(policy(clock, { attemptTimeoutMs: 3000 }).run("GetInstance", slowThenFast));
    expect(r).to.deep.equal({ value: "ok", attempts: 2 });
  });

  it("hands every attempt the same request, so a mutation's opc-retry-token is reused", async () => {
    const clock = new VirtualClock();
    const request = { createPrivateIpDetails: { vnicId: "ocid1.vnic.x" }, opcRetryToken: "ocipam-token-1" };
    const seen: string[] = [];
    const failures = [
      sdkError(500, "InternalServerError"),
      sdkError(429, "TooManyRequests"),
      sdkError(409, "IncorrectState"),
    ];
    const send = async (r: typeof request) => {
      seen.push(r.opcRetryToken);
      const f = failures.shift();
      if (f) throw f;
      return "ok";
    };
    const r = await clock.run(policy(clock).run("CreatePrivateIp", () => send(request)));
    expect(r.attempts).to.equal(4);
    expect(seen).to.deep.equal(["ocipam-token-1", "ocipam-token-1", "ocipam-token-1", "ocipam-token-1"]);
  });

  it("takes a budget token before every attempt and reports 429s to the budget", async () => {
    const clock = new VirtualClock();
    const budget = new RequestBudget({ ratePerSecond: 100, burst: 100, now: clock.now, sleep: clock.sleep });
    const throttled: OciApiError[] = [];
    const { fn } = script(clock, [sdkError(429, "TooManyRequests"), sdkError(500, "InternalServerError")]);
    const r = await clock.run(
      policy(clock).run("ListPrivateIps", fn, { budget, onThrottle: (e) => throttled.push(e) }),
    );
    expect(r.attempts).to.equal(3);
    const s = budget.snapshot();
    expect(s.acquired).to.equal(3);
    expect(s.throttles).to.equal(1);
    expect(throttled.map((e) => e.serviceCode)).to.deep.equal(["TooManyRequests"]);
  });

  it("backs off concurrent callers that never saw a 429 when one caller gets one", async () => {
    const clock = new VirtualClock();
    const budget = new RequestBudget({
      ratePerSecond: 10,
      burst: 10,
      throttlePauseMs: 1000,
      now: clock.now,
      sleep: clock.sleep,
    });
    const p = policy(clock, { random: () => 0 });
    const t0 = clock.now();
    // Caller A: one 429, then fine. Callers B..E: start 10 ms later and never get a 429 themselves.
    const a = p.run("CreatePrivateIp", script(clock, [sdkError(429, "TooManyRequests")]).fn, { budget });
    const others = [1, 2, 3, 4].map(async () => {
      await clock.sleep(10);
      const s = script(clock, []);
      await p.run("GetVnic", s.fn, { budget });
      return s.starts[0];
    });
    const [ra, ...starts] = await clock.run(Promise.all([a, ...others]));
    expect(ra.attempts).to.equal(2);
    for (const s of starts) expect(s - t0).to.be.at.least(1000);
    expect(budget.snapshot()).to.include({ throttles: 1, rateCuts: 1 });
  });

  it("gives up before the deadline when the shared budget has no token in time", async () => {
    const clock = new VirtualClock();
    const budget = new RequestBudget({
      ratePerSecond: 1,
      burst: 1,
      throttlePauseMs: 5000,
      now: clock.now,
      sleep: clock.sleep,
    });
    budget.throttled();
    const { fn, starts } = script(clock, []);
    const err = await caught(() =>
      clock.run(policy(clock).run("GetVnic", fn, { budget, deadline: new Date(clock.now() + 2000) })),
    );
    expect(err).to.be.instanceOf(OciDeadlineError);
    expect(starts).to.have.length(0);
    expect(budget.snapshot().refused).to.equal(1);
  });
});
