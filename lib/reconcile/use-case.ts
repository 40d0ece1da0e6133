import { randomUUID } from "node:crypto";
import type { Reason } from "../core/model";
import { apiErrorFields, OcipamError } from "../errors";
import type { LockHandle } from "../ports/kube";
import { OciDeadlineError } from "../ports/oci-errors";
import { countCalls } from "./count-calls";
import { TimeBudget } from "./deadline";
import type { ReconcileDeps } from "./deps";

/** What every use case returns: an outcome, a typed reason, and what it cost. */
export interface UseCaseResult {
  outcome: string;
  reason: Reason;
  durationMs: number;
  /** API calls per port method (`oci.createPrivateIp`, `kube.writePool`, ...). */
  apiCalls: Record<string, number>;
  error?: { reason: string; message: string; statusCode?: number; serviceCode?: string; opcRequestId?: string };
}

/** What a use case's body works with: ports that count their calls, the time budget, and the lock rule. */
export interface UseCaseContext {
  deps: ReconcileDeps;
  budget: TimeBudget;
  callId: string;
  /**
   * Takes the lock `key` for the rest of the invocation (TTL: the time left, at least 5 s); undefined when another
   * invocation holds it. Every lock taken here is released when the use case ends, whatever happens; `release` frees
   * one earlier.
   */
  lock(key: string): Promise<LockHandle | undefined>;
  /** Runs after the body, before the locks are released (a node's record is saved there), even after an error. */
  onFinish(step: () => Promise<void>): void;
}

export interface UseCaseSpec<R extends UseCaseResult> {
  /** The summary log line's `action` and message prefix: "reconcile", "prewarm", "terminate", "collect-leaks". */
  action: string;
  deadline: Date;
  callId?: string;
  /** The result the body fills in; its `apiCalls` is where calls are counted. */
  result: R;
  /** Ports beyond the ReconcileDeps ones whose calls are counted too (the collector's inventory and marks). */
  extraPorts?: { [K in string]: object };
  /** Stable fields of the summary line besides the result's own (node, instance). */
  logFields: () => Record<string, unknown>;
  /** The outcome an unexpected error gives. */
  failedOutcome: R["outcome"];
}

/**
 * The one skeleton every use case runs through (reconcile, prewarm, terminate, leak collection):
 * - one way to count calls: every port is wrapped once, counting into `result.apiCalls`;
 * - one deadline rule: a TimeBudget from the invocation deadline minus the configured reserve; an OciDeadlineError is
 *   never a failure: the reason becomes `DeadlineReached`, what was done is kept, the next nudge continues;
 * - one lock rule: locks through `ctx.lock`, always released at the end, after the `onFinish` steps;
 * - one error tail: anything else is the `failedOutcome` with the error's typed reason and its API fields (status
 *   code, service code, opc-request-id), logged once;
 * - one summary log line with the duration and the calls.
 */
export async function runUseCase<R extends UseCaseResult>(
  baseDeps: ReconcileDeps,
  spec: UseCaseSpec<R>,
  body: (ctx: UseCaseContext, extra: Record<string, object>) => Promise<void>,
): Promise<R> {
  const { result } = spec;
  const counts = result.apiCalls;
  const deps: ReconcileDeps = {
    ...baseDeps,
    compute: countCalls(baseDeps.compute, "oci", counts),
    network: countCalls(baseDeps.network, "oci", counts),
    ciliumNodes: countCalls(baseDeps.ciliumNodes, "kube", counts),
    nodes: countCalls(baseDeps.nodes, "kube", counts),
    pods: countCalls(baseDeps.pods, "kube", counts),
    records: countCalls(baseDeps.records, "kube", counts),
  };
  const extra = Object.fromEntries(
    Object.entries(spec.extraPorts ?? {}).map(([k, port]) => [k, countCalls(port, "kube", counts)]),
  );
  const started = deps.now().getTime();
  const callId = spec.callId ?? randomUUID();
  const budget = new TimeBudget(spec.deadline, deps.config.deadlineReserveMs, () => deps.now().getTime());
  const locks: LockHandle[] = [];
  const finishing: Array<() => Promise<void>> = [];
  const ctx: UseCaseContext = {
    deps,
    budget,
    callId,
    async lock(key) {
      const ttl = Math.max(Math.ceil((spec.deadline.getTime() - deps.now().getTime()) / 1000), 5);
      const handle = await deps.locks.tryAcquire(key, callId, ttl);
      if (handle) locks.push(handle);
      return handle;
    },
    onFinish(step) {
      finishing.push(step);
    },
  };
  const { log } = deps;
  try {
    await body(ctx, extra);
  } catch (err) {
    if (err instanceof OciDeadlineError) {
      result.reason = {
        code: "DeadlineReached",
        message: `the invocation deadline came during ${err.operation}; the next nudge continues`,
      };
    } else {
      const e = err instanceof OcipamError ? err : undefined;
      result.outcome = spec.failedOutcome;
      result.reason = {
        code: e?.reason ?? "UnexpectedError",
        message: err instanceof Error ? err.message : String(err),
      };
      result.error = { reason: result.reason.code, message: result.reason.message, ...apiErrorFields(e?.context) };
      log.error(
        {
          ...spec.logFields(),
          callId,
          action: spec.action,
          reason: result.reason.code,
          ...apiErrorFields(e?.context),
          err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err),
        },
        `${spec.action} failed`,
      );
    }
  } finally {
    for (const step of finishing)
      await step().catch((err: unknown) =>
        log.warn({ ...spec.logFields(), callId, err: String(err) }, `${spec.action}: a closing step failed`),
      );
    for (const handle of locks.reverse())
      await handle
        .release()
        .catch((err: unknown) =>
          log.warn({ ...spec.logFields(), callId, err: String(err) }, "could not release a lock; it expires by itself"),
        );
  }
  result.durationMs = deps.now().getTime() - started;
  log.info(
    {
      ...spec.logFields(),
      callId,
      action: spec.action,
      outcome: result.outcome,
      reason: result.reason.code,
      durationMs: result.durationMs,
      apiCalls: counts,
    },
    `${spec.action} ${result.outcome}: ${result.reason.message}`,
  );
  return result;
}
