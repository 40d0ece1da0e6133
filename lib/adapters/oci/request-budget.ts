/**
 * The process-wide budget of OCI requests: a token bucket that every OCI call (every attempt, every page) takes one
 * token from, shared by all adapters and all concurrent reconciles of one function instance.
 *
 * Why: OCI publishes no request-rate numbers for the Core APIs; the only signal is HTTP 429 `TooManyRequests`, and
 * the only documented remedy is client-side backoff (docs.oracle.com/iaas/Content/API/References/apierrors.htm,
 * .../Content/API/Concepts/usingapi.htm). One caller backing off alone does not help when twenty concurrent
 * reconciles keep firing, so a 429 seen by any caller slows everybody: AIMD as in TCP congestion control —
 * - multiplicative decrease: the refill rate is cut (×`decreaseFactor`, 0.7 as CUBIC's β, RFC 8312 §4.5: a
 *   halving gives up half the throughput after every 429, and a service that throttles at a fixed rate is found
 *   again sooner from 0.7), the burst is drained and refills pause for `throttlePauseMs` (by default one token's
 *   interval at the cut rate: the service's own bucket only needs the calls already sent to drain; a whole second
 *   of silence for everybody wasted a second of the limit per 429); 429s of requests sent before the cut (the rest
 *   of the same burst) cut only once; what is cut is the rate calls were actually taken at over the last second
 *   when that is lower than the allowed one (as TCP halves the data in flight, not the window, RFC 5681 §3.1 eq. 4):
 *   a generous budget of 1000/s that callers only use at 30/s must not need ten 429s to come down to 5/s;
 * - additive increase (the probe): after the pause the rate grows back by `recoveryPerSecond` every second, up to
 *   the configured rate, until the next 429 says the limit is reached;
 * - the bucket holds at most `burst` × current rate ÷ configured rate tokens (at least one): a budget cut to half
 *   also bursts half as much, so a pause in demand does not end in a burst of 429s against a throttled service.
 * Measured against a throttling service in test/adapters/oci/request-budget-throughput.test.ts (virtual time).
 * Time and sleeping are injected so tests run in virtual time.
 */

export interface RequestBudgetOptions {
  /** Steady refill rate in requests per second. Default 10 (OCI publishes none; a guess that 429s correct). */
  ratePerSecond?: number;
  /** Bucket size: calls that may start at once after a quiet period. Default 10. */
  burst?: number;
  /** The rate never drops below this. Default 0.5 per second. */
  minRatePerSecond?: number;
  /** Factor applied to the rate on a 429. Default 0.7. */
  decreaseFactor?: number;
  /** No token is handed out for this long after a 429. Default one token's interval at the cut rate (≤ 1000 ms). */
  throttlePauseMs?: number;
  /** Rate regained per second after the pause. Default 1 request/s per second. */
  recoveryPerSecond?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestBudgetStats {
  /** Tokens handed out. */
  acquired: number;
  /** Acquisitions refused because no token would come before the caller's latest start. */
  refused: number;
  /** 429s reported, and how many of them cut the rate (the others fell in the same pause). */
  throttles: number;
  rateCuts: number;
  /** Total time callers spent waiting for a token. */
  waitedMs: number;
  /** The refill rate right now. */
  currentRatePerSecond: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RequestBudget {
  readonly ratePerSecond: number;
  readonly burst: number;
  private readonly minRate: number;
  private readonly decreaseFactor: number;
  private readonly pauseMs: number | undefined;
  private readonly recoveryPerSecond: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  private tokens: number;
  private lastRefill: number;
  /** Rate right after the last cut; the current rate grows from it after `pausedUntil`. */
  private cutRate: number;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private readonly stats = { acquired: 0, refused: 0, throttles: 0, rateCuts: 0, waitedMs: 0 };
  /** When the tokens of the last second were taken (oldest first): the rate calls are actually sent at. */
  private readonly recent: number[] = [];

  constructor(options: RequestBudgetOptions = {}) {
    this.ratePerSecond = positive(options.ratePerSecond ?? 10, "ratePerSecond");
    this.burst = positive(options.burst ?? 10, "burst");
    this.minRate = Math.min(positive(options.minRatePerSecond ?? 0.5, "minRatePerSecond"), this.ratePerSecond);
    this.decreaseFactor = options.decreaseFactor ?? 0.7;
    if (!(this.decreaseFactor > 0 && this.decreaseFactor < 1))
      throw new RangeError("decreaseFactor must be within (0, 1)");
    this.pauseMs = options.throttlePauseMs === undefined ? undefined : Math.max(0, options.throttlePauseMs);
    this.recoveryPerSecond = positive(options.recoveryPerSecond ?? 1, "recoveryPerSecond");
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.tokens = this.burst;
    this.lastRefill = this.now();
    this.cutRate = this.ratePerSecond;
  }

  /** The refill rate at time `t`: the cut rate during the pause, then growing linearly back to the full rate. */
  rateAt(t: number): number {
    if (this.cutRate >= this.ratePerSecond) return this.ratePerSecond;
    if (t <= this.pausedUntil) return this.cutRate;
    const grown = this.cutRate + (this.recoveryPerSecond * (t - this.pausedUntil)) / 1000;
    if (grown >= this.ratePerSecond) {
      this.cutRate = this.ratePerSecond;
      return this.ratePerSecond;
    }
    return grown;
  }

  private refill(t: number): void {
    if (t <= this.lastRefill) return;
    // No refill while paused; afterwards the rate at `t` is used for the whole step (steps are short: every
    // acquisition refills, and the rate only grows, so this errs on the generous side by at most one step).
    const from = Math.max(this.lastRefill, this.pausedUntil);
    if (t > from) this.tokens = Math.min(this.burstAt(t), this.tokens + ((t - from) / 1000) * this.rateAt(t));
    this.lastRefill = t;
  }

  /** The bucket's size at time `t`: the burst scaled by how far the rate is cut, at least one token. */
  private burstAt(t: number): number {
    return Math.max(1, (this.burst * this.rateAt(t)) / this.ratePerSecond);
  }

  /**
   * Takes one token, waiting for it when the bucket is empty or paused. Returns false without taking anything
   * when the token would not come by `latestStart` (epoch ms), so the caller can give up before its deadline.
   */
  async acquire(latestStart = Number.POSITIVE_INFINITY): Promise<boolean> {
    const started = this.now();
    for (;;) {
      const t = this.now();
      this.refill(t);
      let wait: number;
      if (t < this.pausedUntil) {
        wait = this.pausedUntil - t;
      } else if (this.tokens >= 1) {
        this.tokens -= 1;
        this.stats.acquired += 1;
        this.recent.push(t);
        this.forgetBefore(t - 1000);
        this.stats.waitedMs += t - started;
        return true;
      } else {
        wait = Math.ceil(((1 - this.tokens) / this.rateAt(t)) * 1000);
      }
      if (t + wait > latestStart) {
        this.stats.refused += 1;
        this.stats.waitedMs += t - started;
        return false;
      }
      // Woken callers race for the token; a loser just computes its wait again.
      await this.sleep(Math.max(1, wait));
    }
  }

  /**
   * Called on every 429 TooManyRequests from any caller: backs every caller off (see the class comment).
   * `attemptStartedAt` is when the throttled request was sent: a request sent before the last cut belongs to the
   * burst that cut already, so its 429 cuts nothing more.
   */
  throttled(attemptStartedAt?: number): void {
    const t = this.now();
    this.stats.throttles += 1;
    if (t < this.pausedUntil) return; // same burst: already cut
    if (attemptStartedAt !== undefined && attemptStartedAt <= this.lastCutAt) return;
    this.refill(t);
    this.forgetBefore(t - 1000);
    // No token taken in the last second (a slow answer): nothing measured, the allowed rate is cut.
    const inUse =
      this.recent.length === 0 ? this.rateAt(t) : Math.min(this.rateAt(t), Math.max(this.recent.length, this.minRate));
    this.cutRate = Math.max(this.minRate, inUse * this.decreaseFactor);
    this.tokens = 0;
    this.pausedUntil = t + (this.pauseMs ?? Math.min(1000, 1000 / this.cutRate));
    this.lastRefill = t;
    this.lastCutAt = t;
    this.stats.rateCuts += 1;
  }

  private forgetBefore(t: number): void {
    let drop = 0;
    while (drop < this.recent.length && this.recent[drop]! < t) drop++;
    if (drop > 0) this.recent.splice(0, drop);
  }

  snapshot(): RequestBudgetStats {
    return { ...this.stats, currentRatePerSecond: this.rateAt(this.now()) };
  }
}

function positive(v: number, name: string): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number`);
  return v;
}
