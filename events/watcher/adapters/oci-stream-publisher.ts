import { AsyncLocalStorage } from "node:async_hooks";
import * as common from "oci-common";
import { StreamClient } from "oci-streaming";
import { toOciApiError } from "../../../lib/adapters/oci/errors";
import { silentLogger, type Log } from "../../../lib/log";
import { OciApiError } from "../../../lib/ports/oci-errors";
import type { StreamEntry } from "../../contracts";
import type { EntryResult, NudgePublisher } from "../publisher";
import { backoffDelay, realScheduler, sleep, type Scheduler } from "../scheduler";

/** What one PutMessages request ended as, for metrics. */
export type RequestOutcome = "ok" | "partial" | "error";

export interface OciStreamPublisherOptions {
  streamId: string;
  /**
   * The stream pool's **messages endpoint** (`Stream.messagesEndpoint`, e.g.
   * `https://cell-1.streaming.us-ashburn-1.oci.oraclecloud.com`), or the emulator's URL. PutMessages must go there,
   * not to the Streaming admin endpoint (`oci streaming stream message put --endpoint <messages_endpoint>`,
   * docs.oracle.com/iaas/Content/Streaming/Tasks/publishingmessages.htm). The SDK appends the API version path itself.
   */
  endpoint: string;
  authenticationDetailsProvider: common.AuthenticationDetailsProvider;
  /** Attempts per batch, the first included (default 5). */
  attempts?: number;
  /** Backoff base and cap between attempts (defaults 200 ms and 5 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** One PutMessages request that has not answered after this long counts as failed and retryable (default 10 s). */
  requestTimeoutMs?: number;
  scheduler?: Scheduler;
  random?: () => number;
  /** Called after every PutMessages request: its duration and outcome (metrics). */
  onRequest?: (durationSeconds: number, outcome: RequestOutcome) => void;
  log?: Log;
}

/**
 * NudgePublisher over oci-streaming `StreamClient.putMessages`. SDK behaviour (oci-streaming 2.139.1
 * lib/client.js putMessages, oci-common lib/circuit-breaker.js): PutMessages is not retried by default, and
 * each client has a circuit breaker that, after 10 retryable failures, fails calls without sending them. This adapter
 * turns the breaker off and the SDK's retries
 * off (explicitly, so `OCI_SDK_DEFAULT_RETRY_ENABLED` cannot turn them back on) and owns the policy:
 * - the whole request is retried on 429, 5xx, 409 IncorrectState and failures without an HTTP answer, including
 *   our own request timeout (OciApiError.retryable), with exponential backoff and jitter; other statuses (400, 401,
 *   404) fail at once;
 * - entries the service rejected inside a 200 answer (`entries[i].error`, e.g. per-partition throttling, which
 *   Streaming reports as a per-entry "429" inside "200 OK": oracle/oci-go-sdk issue 479) are retried alone.
 * Key and value go out as given: they must already be base64 (the SDK does not encode them).
 */
export class OciStreamPublisher implements NudgePublisher {
  private readonly client: StreamClient;
  private readonly attempts: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly timeoutMs: number;
  private readonly scheduler: Scheduler;
  private readonly random: () => number;
  private readonly log: Log;
  /** The abort signal of the attempt being sent (read by the fetch options below). */
  private readonly attemptSignal = new AsyncLocalStorage<AbortSignal>();

  constructor(private readonly options: OciStreamPublisherOptions) {
    this.attempts = options.attempts ?? 5;
    this.baseMs = options.backoffBaseMs ?? 200;
    this.maxMs = options.backoffMaxMs ?? 5000;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.scheduler = options.scheduler ?? realScheduler;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? silentLogger();
    if (!(this.attempts >= 1)) throw new RangeError("attempts must be at least 1");
    const attemptSignal = this.attemptSignal;
    this.client = new StreamClient(
      { authenticationDetailsProvider: options.authenticationDetailsProvider },
      {
        circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }),
        retryConfiguration: {
          terminationStrategy: new common.MaxAttemptsTerminationStrategy(1),
          retryCondition: () => false,
        },
        // The SDK has no request timeout and no per-request signal, but with the breaker off it passes the client's
        // httpOptions to every fetch (oci-common lib/http.js); a getter hands each attempt its own signal, as
        // lib/adapters/oci/clients.ts does for the Core clients.
        httpOptions: {
          get signal(): AbortSignal | undefined {
            return attemptSignal.getStore();
          },
        },
      },
    );
    // Last: a provider carrying a region sets the (admin) endpoint in the constructor (oci-streaming lib/client.js).
    this.client.endpoint = options.endpoint.replace(/\/+$/, "");
  }

  async publish(entries: StreamEntry[], signal: AbortSignal): Promise<EntryResult[]> {
    const results: Array<EntryResult | undefined> = entries.map(() => undefined);
    let pending = entries.map((_, i) => i);
    let lastError: OciApiError | undefined;
    for (let attempt = 0; attempt < this.attempts && pending.length > 0 && !signal.aborted; attempt++) {
      if (attempt > 0)
        await sleep(this.scheduler, backoffDelay(attempt - 1, this.baseMs, this.maxMs, this.random), signal);
      if (signal.aborted) break;
      const started = this.scheduler.now();
      let answer: Awaited<ReturnType<StreamClient["putMessages"]>>;
      try {
        answer = await this.put(
          pending.map((i) => entries[i]!),
          signal,
        );
      } catch (err) {
        lastError = toOciApiError("PutMessages", err);
        this.report(started, "error");
        this.log.warn({ err: lastError.toJSON(), attempt: attempt + 1, entries: pending.length }, "PutMessages failed");
        if (!lastError.retryable) break;
        continue;
      }
      const answered = answer.putMessagesResult.entries ?? [];
      const stillFailing: number[] = [];
      pending.forEach((index, k) => {
        const e = answered[k];
        if (e && !e.error) {
          results[index] = {
            ok: true,
            ...(e.partition !== undefined && { partition: e.partition }),
            ...(e.offset !== undefined && { offset: e.offset }),
          };
        } else {
          results[index] = {
            ok: false,
            error: e?.error ?? "MissingEntry",
            ...(e?.errorMessage && { message: e.errorMessage }),
          };
          stillFailing.push(index);
        }
      });
      this.report(
        started,
        stillFailing.length === 0 ? "ok" : stillFailing.length === pending.length ? "error" : "partial",
      );
      if (stillFailing.length > 0) {
        this.log.warn(
          {
            failed: stillFailing.length,
            of: pending.length,
            attempt: attempt + 1,
            opcRequestId: answer.opcRequestId,
            error: (results[stillFailing[0]!] as { error: string }).error,
          },
          "PutMessages rejected entries",
        );
      }
      pending = stillFailing;
    }
    if (results.every((r) => r === undefined)) {
      throw (
        lastError ??
        new OciApiError("PutMessages", signal.aborted ? "publishing was cancelled" : "no attempt was made", {
          serviceCode: "Cancelled",
        })
      );
    }
    return results.map(
      (r) =>
        r ?? { ok: false, error: lastError?.reason ?? "Cancelled", ...(lastError && { message: lastError.message }) },
    );
  }

  async close(): Promise<void> {
    this.client.close();
  }

  /**
   * One PutMessages request, aborted after the request timeout or when `signal` aborts (leadership lost). An
   * aborted request that had already reached the service may still have appended its messages: a duplicate nudge
   * is harmless (nudges are hints, the function is idempotent).
   */
  private async put(messages: StreamEntry[], signal: AbortSignal) {
    const controller = new AbortController();
    let timedOut = false;
    const cancelTimer = this.scheduler.after(this.timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    const onAbort = () => controller.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.attemptSignal.run(controller.signal, () =>
        this.client.putMessages({ streamId: this.options.streamId, putMessagesDetails: { messages } }),
      );
    } catch (err) {
      if (timedOut)
        throw new OciApiError(
          "PutMessages",
          `no answer within ${this.timeoutMs} ms`,
          { serviceCode: "RequestTimeout" },
          { cause: err },
        );
      throw toOciApiError("PutMessages", err, controller.signal.aborted);
    } finally {
      cancelTimer();
      signal.removeEventListener("abort", onAbort);
    }
  }

  private report(started: number, outcome: RequestOutcome): void {
    this.options.onRequest?.((this.scheduler.now() - started) / 1000, outcome);
  }
}
