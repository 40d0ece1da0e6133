import { KubeStatusError, failure, statusErrors, type GroupResource } from "./status";

/**
 * Injected failures for tests: "the next N writes to this object answer 409" or "the next N list calls answer
 * 500". A fault matches a verb (or any), a resource type key ("ciliumnodes.cilium.io") and optionally a name.
 */
export interface FaultSpec {
  /** get, list, watch, create, update, patch, delete (or several); omitted = any verb. */
  verb?: string | string[];
  /** Resource type key, e.g. "ciliumnodes.cilium.io" or "nodes". */
  resource: string;
  name?: string;
  namespace?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** The answer: a Status body builder; default is the optimistic-lock 409 Conflict. */
  error?: (gr: GroupResource, name: string) => KubeStatusError;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class FaultInjector {
  private readonly faults: ActiveFault[] = [];

  /** Arms a fault; it fires on the next `times` matching requests, then disarms itself. */
  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times ?? 1 });
  }

  /** Disarms every fault. */
  clear(): void {
    this.faults.length = 0;
  }

  /** Throws the armed failure for this request, if any (consuming one firing). */
  check(verb: string, resource: string, gr: GroupResource, name: string, namespace?: string): void {
    const idx = this.faults.findIndex(
      (f) =>
        f.remaining > 0 &&
        (f.verb === undefined || (Array.isArray(f.verb) ? f.verb.includes(verb) : f.verb === verb)) &&
        f.resource === resource &&
        (f.name === undefined || f.name === name) &&
        (f.namespace === undefined || f.namespace === namespace),
    );
    if (idx < 0) return;
    const fault = this.faults[idx];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(idx, 1);
    throw (fault.error ?? ((g, n) => statusErrors.conflict(g, n)))(gr, name);
  }
}

/** A 500 InternalError fault builder, e.g. to test a client's retry on server errors. */
export function internalErrorFault(message = "injected failure"): (gr: GroupResource, name: string) => KubeStatusError {
  return () =>
    new KubeStatusError(
      failure(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] }),
    );
}
