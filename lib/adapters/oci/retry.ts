import type { OciApiError } from "../../ports/oci-errors";
import { OciDeadlineError, toOciApiError } from "./errors";
import { checkPoliciesHint, OciNotAuthorizedOrNotFoundError } from "./not-authorized";
import type { RequestBudget } from "./request-budget";
import { retryDecision } from "./retry-decision";

/**
 * The adapters' own retry policy. The SDK retries none of the operations we use by default and its opt-in policy
 * waits up to 30 s between attempts (oci-common lib/retrier.js), far too long inside a 30 s function, so the
 * clients are built with one SDK attempt and every retry happens here:
 * - what is retried follows OCI's error table (`retryDecision`, retry-decision.ts): 429, 409 IncorrectState and
 *   ExternalServerIncorrectState, 5xx and no answer until max attempts or the deadline; 404 NotAuthorizedOrNotFound
 *   (and 400 RelatedResourceNotAuthorizedOrNotFound) only for `notFoundWindowMs` after the first attempt, because a
 *   new policy takes a while to apply, and not at all when the caller treats "not found" as "gone"
 *   (`RunOptions.notFoundIsGone`); one that outlasts the window ends as `OciNotAuthorizedOrNotFoundError`, whose
 *   message names the permissions and compartment to check;
 * - exponential backoff with full jitter: before retry n the wait is uniform in [0, min(cap, base·2^(n-1)))
 *   (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/: full jitter spreads concurrent
 *   retriers best, which matters when many reconciles hit the same 429);
 * - an attempt starts only when at least `minAttemptMs` remain before the caller's deadline, and a running attempt
 *   is aborted at the deadline (and after `attemptTimeoutMs`), so no attempt outlives the deadline;
 * - at most `maxAttempts` attempts;
 * - every attempt first takes a token from the shared `RequestBudget`, and a 429 tells the budget, which backs off
 *   every caller of the process.
 * The attempt function sends the same request object every time, so a mutation keeps its opc-retry-token across
 * attempts and OCI returns the first attempt's object if that one had in fact succeeded.
 */

export interface RetryPolicyOptions {
  /** Base of the exponential backoff. Default 200 ms. */
  baseDelayMs?: number;
  /** Cap of one backoff wait. Default 5000 ms. */
  maxDelayMs?: number;
  /** Attempts per call, the first included. Default 5. */
  maxAttempts?: number;
  /**
   * How long after a call's first attempt a NotAuthorizedOrNotFound answer is still retried (IAM propagation).
   * Default 2000 ms: long enough for a policy that is almost there, short against a 30 s function; always within
   * the caller's deadline and `maxAttempts`. 0 turns the window off.
   */
  notFoundWindowMs?: number;
  /** Least time an attempt needs; none starts with less left before the deadline. Default 250 ms. */
  minAttemptMs?: number;
  /** An attempt still running after this long is aborted (the SDK has no request timeout). Default 20000 ms. */
  attemptTimeoutMs?: number;
  /** Uniform in [0, 1). Injectable for tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Starts a timer; returns its cancel function. Injectable for tests. */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

/** What one attempt is given. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted at the deadline or the attempt timeout; the adapter hands it to the SDK's fetch. */
  signal: AbortSignal;
}

export interface RetryEvent {
  operation: string;
  attempt: number;
  delayMs: number;
  error: OciApiError;
}

export interface RunOptions {
  deadline?: Date;
  budget?: RequestBudget;
  /** Called before each backoff wait (for counters and logs). */
  onRetry?: (event: RetryEvent) => void;
  /** Called for every 429 (for counters). */
  onThrottle?: (error: OciApiError) => void;
  /**
   * The caller treats NotAuthorizedOrNotFound as "gone": the first one is thrown at once (CallOptions.notFoundIsGone).
   */
  notFoundIsGone?: boolean;
  /** What to check when NotAuthorizedOrNotFound persists (permissions and compartment); put in the typed error. */
  checkPolicies?: string;
}

export interface RunResult<T> {
  value: T;
  attempts: number;
}

/** Why retries stopped, recorded on the thrown error's context as `retriesStopped`. */
export type StopReason = "not-retryable" | "max-attempts" | "deadline" | "not-found-window" | "not-found-is-gone";

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const defaultSetTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

export class RetryPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly notFoundWindowMs: number;
  readonly minAttemptMs: number;
  readonly attemptTimeoutMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => () => void;

  constructor(options: RetryPolicyOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 5));
    this.notFoundWindowMs = Math.max(0, options.notFoundWindowMs ?? 2000);
    this.minAttemptMs = options.minAttemptMs ?? 250;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 20_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? defaultSetTimer;
  }

  /** The wait before retry `retry` (1 = the first retry): full jitter over the capped exponential. */
  backoffMs(retry: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, retry - 1));
    return Math.floor(this.random() * ceiling);
  }

  /**
   * The error a call ends with. A NotAuthorizedOrNotFound the caller did not declare "gone" becomes
   * `OciNotAuthorizedOrNotFoundError`, naming what to check; everything else is the last error as it was.
   */
  private stop(
    operation: string,
    last: OciApiError | undefined,
    attempts: number,
    why: StopReason,
    options: RunOptions,
    firstStart?: number,
  ): OciApiError {
    const e = stop(operation, last, attempts, why);
    if (!last || why === "not-found-is-gone" || retryDecision(last) !== "iam-window") return e;
    const waitedMs = firstStart === undefined ? 0 : this.now() - firstStart;
    const hint = options.checkPolicies ?? checkPoliciesHint(operation, {});
    const typed = new OciNotAuthorizedOrNotFoundError(last, hint, { attempts, waitedMs });
    typed.context.attempts = attempts;
    typed.context.retriesStopped = why;
    return typed;
  }

  /**
   * Runs `attempt` until it succeeds or retrying must stop. Throws the last failure as an `OciApiError` (its context
   * says `attempts` and `retriesStopped`), or `OciDeadlineError` when not even one attempt could start in time.
   */
  async run<T>(
    operation: string,
    attempt: (ctx: AttemptContext) => Promise<T>,
    options: RunOptions = {},
  ): Promise<RunResult<T>> {
    const deadline = options.deadline?.getTime() ?? Number.POSITIVE_INFINITY;
    let last: OciApiError | undefined;
    let firstStart: number | undefined;
    const end = (n: number, why: StopReason) => this.stop(operation, last, n, why, options, firstStart);
    for (let n = 1; ; n++) {
      const latestStart = deadline - this.minAttemptMs;
      if (this.now() > latestStart) throw end(n - 1, "deadline");
      if (options.budget && !(await options.budget.acquire(latestStart))) throw end(n - 1, "deadline");

      const startedAt = this.now();
      firstStart ??= startedAt;
      const controller = new AbortController();
      const budgetMs = Math.min(this.attemptTimeoutMs, deadline - startedAt);
      const cancelTimer = this.setTimer(() => controller.abort(), Math.max(0, budgetMs));
      try {
        const value = await attempt({ attempt: n, signal: controller.signal });
        return { value, attempts: n };
      } catch (err) {
        last = toOciApiError(operation, err, controller.signal.aborted);
      } finally {
        cancelTimer();
      }

      if (last.statusCode === 429) {
        options.budget?.throttled(startedAt);
        options.onThrottle?.(last);
      }
      const decision = retryDecision(last);
      if (decision === "final") throw end(n, "not-retryable");
      if (decision === "iam-window" && options.notFoundIsGone) throw end(n, "not-found-is-gone");
      if (n >= this.maxAttempts) throw end(n, "max-attempts");
      const delayMs = this.backoffMs(n);
      const windowEnd = firstStart + this.notFoundWindowMs;
      if (decision === "iam-window" && this.now() + delayMs > windowEnd) throw end(n, "not-found-window");
      if (this.now() + delayMs > latestStart) throw end(n, "deadline");
      options.onRetry?.({ operation, attempt: n, delayMs, error: last });
      await this.sleep(delayMs);
    }
  }
}

function stop(operation: string, last: OciApiError | undefined, attempts: number, why: StopReason): OciApiError {
  if (!last) {
    return new OciDeadlineError(operation, "no attempt could start and finish before the deadline");
  }
  last.context.attempts = attempts;
  last.context.retriesStopped = why;
  return last;
}
