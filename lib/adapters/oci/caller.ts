import type { Log } from "../../log";
import type { CallOptions } from "../../ports/oci";
import { OciApiError } from "../../ports/oci-errors";
import type { OciCallCounters } from "./counters";
import { OciUnexpectedError } from "./errors";
import { checkPoliciesHint } from "./not-authorized";
import type { RequestBudget } from "./request-budget";
import type { RetryPolicy } from "./retry";

/** Stable log fields naming what a call is about (the project's field names, see lib/log.ts). */
export interface CallFields {
  instance?: string;
  vnic?: string;
  attachment?: string;
  privateIp?: string;
  subnet?: string;
  compartment?: string;
  vcn?: string;
  workRequest?: string;
}

/** Runs `fn` with `signal` as the abort signal of the SDK's fetch (see clients.ts `withSignal`). */
export type WithSignal = <T>(signal: AbortSignal, fn: () => Promise<T>) => Promise<T>;

export interface OciCallerDeps {
  policy: RetryPolicy;
  budget: RequestBudget;
  counters: OciCallCounters;
  log: Log;
  withSignal: WithSignal;
  now?: () => number;
}

/** A list call stops with an error past this many pages: a server that keeps answering opc-next-page is broken. */
export const MAX_PAGES = 10_000;

/**
 * One place where every OCI call of the adapters goes through: request budget, retry policy, error mapping,
 * counters, and one debug line per call with its latency and result (`operation`, `opcRequestId`, `durationMs`,
 * `attempts`, `ok`, plus the call's fields such as `vnic` and `instance`).
 */
export class OciCaller {
  private readonly now: () => number;
  constructor(private readonly deps: OciCallerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Sends one request with retries. `send` must send the same request object on every attempt (that is what keeps a
   * mutation's opc-retry-token stable).
   */
  async call<R>(
    operation: string,
    fields: CallFields,
    options: CallOptions | undefined,
    send: () => Promise<R>,
  ): Promise<R> {
    const { policy, budget, counters, log, withSignal } = this.deps;
    const started = this.now();
    try {
      const { value, attempts } = await policy.run(operation, ({ signal }) => withSignal(signal, send), {
        deadline: options?.deadline,
        budget,
        notFoundIsGone: options?.notFoundIsGone === true,
        checkPolicies: checkPoliciesHint(operation, fields),
        onRetry: (e) =>
          log.debug(
            {
              operation,
              ...fields,
              attempt: e.attempt,
              delayMs: e.delayMs,
              statusCode: e.error.statusCode,
              serviceCode: e.error.serviceCode,
              opcRequestId: e.error.opcRequestId,
            },
            "oci call retrying",
          ),
        onThrottle: (e) => {
          counters.throttle(operation);
          log.info(
            {
              operation,
              ...fields,
              opcRequestId: e.opcRequestId,
              ratePerSecond: budget.snapshot().currentRatePerSecond,
            },
            "oci throttled (429): shared request budget backs off",
          );
        },
      });
      const durationMs = this.now() - started;
      counters.call(operation, { attempts, ok: true, ms: durationMs });
      log.debug({ operation, ...fields, opcRequestId: requestIdOf(value), durationMs, attempts, ok: true }, "oci call");
      return value;
    } catch (err) {
      const e = err instanceof OciApiError ? err : new OciUnexpectedError(operation, String(err), { cause: err });
      const durationMs = this.now() - started;
      const attempts = typeof e.context.attempts === "number" ? e.context.attempts : 0;
      counters.call(operation, { attempts, ok: false, ms: durationMs });
      log.debug(
        {
          operation,
          ...fields,
          opcRequestId: e.opcRequestId,
          durationMs,
          attempts,
          ok: false,
          statusCode: e.statusCode,
          serviceCode: e.serviceCode,
          reason: e.reason,
          retriesStopped: e.context.retriesStopped,
        },
        "oci call",
      );
      throw e;
    }
  }

  /**
   * Follows `opc-next-page` until the last page (each page is its own call with its own retries) and returns every
   * item. Used instead of the SDK's deprecated listAll* and its record iterators, which mutate the request and
   * cannot carry our per-attempt signal.
   */
  async listAll<R, I>(
    operation: string,
    fields: CallFields,
    options: CallOptions | undefined,
    sendPage: (page: string | undefined) => Promise<R>,
    page: (response: R) => { items: I[]; next?: string },
  ): Promise<I[]> {
    const all: I[] = [];
    let token: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const current = token;
      const r = await this.call(operation, fields, options, () => sendPage(current));
      const { items, next } = page(r);
      all.push(...items);
      if (!next) return all;
      token = next;
    }
    throw new OciUnexpectedError(operation, `more than ${MAX_PAGES} pages`);
  }
}

function requestIdOf(value: unknown): string | undefined {
  const id =
    typeof value === "object" && value !== null ? (value as { opcRequestId?: unknown }).opcRequestId : undefined;
  return typeof id === "string" ? id : undefined;
}
