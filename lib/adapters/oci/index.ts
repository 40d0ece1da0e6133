import type { Log } from "../../log";
import { OciCaller } from "./caller";
import type { OciClients } from "./clients";
import { OciComputeAdapter } from "./compute-adapter";
import { OciCallCounters, type OciCallStats } from "./counters";
import { OciNetworkAdapter, type OciNetworkAdapterOptions } from "./network-adapter";
import { RequestBudget, type RequestBudgetStats } from "./request-budget";
import { RetryPolicy } from "./retry";

export { createOciClients, type OciClients, type OciClientOptions, type OciAuth } from "./clients";
export { OciComputeAdapter } from "./compute-adapter";
export { OciNetworkAdapter, type OciBulkNetwork, type WorkRequestOutcome } from "./network-adapter";
export { RequestBudget, type RequestBudgetOptions, type RequestBudgetStats } from "./request-budget";
export { RetryPolicy, type RetryPolicyOptions } from "./retry";
export { OciCallCounters, type OciCallStats } from "./counters";
export { OciDeadlineError, OciUnexpectedError, toOciApiError } from "./errors";

export interface OciAdapters {
  compute: OciComputeAdapter;
  network: OciNetworkAdapter;
  counters: OciCallCounters;
  budget: RequestBudget;
  /** Counters and budget state together, for the function's result and its summary log line. */
  stats(): { calls: OciCallStats; budget: RequestBudgetStats };
}

/**
 * Wires both adapters to one caller. Pass the same `budget` (and `counters`) to every `createOciAdapters` of a
 * process: the budget is meant to be one per process, shared by all concurrent reconciles (request-budget.ts). The
 * composition root owns it; nothing here is a module-level singleton.
 */
export function createOciAdapters(deps: {
  clients: OciClients;
  log: Log;
  budget?: RequestBudget;
  policy?: RetryPolicy;
  counters?: OciCallCounters;
  network?: OciNetworkAdapterOptions;
  pageSize?: number;
}): OciAdapters {
  const budget = deps.budget ?? new RequestBudget();
  const counters = deps.counters ?? new OciCallCounters();
  const caller = new OciCaller({
    policy: deps.policy ?? new RetryPolicy(),
    budget,
    counters,
    log: deps.log,
    withSignal: deps.clients.withSignal,
  });
  return {
    compute: new OciComputeAdapter(deps.clients.compute, caller, deps.log, { pageSize: deps.pageSize }),
    network: new OciNetworkAdapter(deps.clients.network, deps.clients.workRequests, caller, {
      pageSize: deps.pageSize,
      ...deps.network,
    }),
    counters,
    budget,
    stats: () => ({ calls: counters.snapshot(), budget: budget.snapshot() }),
  };
}
