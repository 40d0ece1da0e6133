import type { OciOperation } from "../../oci/permissions";

/**
 * Fault injection. A fault matches one operation (or "*" for all); each matching call triggers it with probability
 * `rate` (default 1) until it has fired `count` times (default unlimited). When it fires, the call gets `status` +
 * `{code, message}` instead of being handled, or its connection is reset (`resetConnection`), and/or is delayed by
 * `delayMs` real milliseconds before that (a slow response: with neither status nor reset, the call is then handled
 * normally).
 */
export interface FaultSpec {
  operation: OciOperation | "*";
  status?: number;
  code?: string;
  message?: string;
  rate?: number;
  count?: number;
  resetConnection?: boolean;
  delayMs?: number;
}

export interface FiredFault {
  id: number;
  status?: number;
  code?: string;
  message?: string;
  resetConnection: boolean;
  delayMs: number;
}

interface ActiveFault extends FaultSpec {
  id: number;
  fired: number;
}

export class Faults {
  private readonly active: ActiveFault[] = [];
  private nextId = 1;

  /** `random` is injectable so tests of rates are deterministic. */
  constructor(private readonly random: () => number = Math.random) {}

  /** Adds a fault; returns its id for `remove`. */
  add(spec: FaultSpec): number {
    if (spec.status === undefined && !spec.resetConnection && spec.delayMs === undefined) {
      throw new Error("a fault needs a status, resetConnection or delayMs");
    }
    if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1))
      throw new Error("fault rate must be within [0, 1]");
    const id = this.nextId++;
    this.active.push({ ...spec, id, fired: 0 });
    return id;
  }

  remove(id: number): void {
    const i = this.active.findIndex((f) => f.id === id);
    if (i >= 0) this.active.splice(i, 1);
  }

  clear(): void {
    this.active.length = 0;
  }

  /** The first fault that fires for this call, if any (consumes one of its `count`). */
  fire(operation: OciOperation): FiredFault | undefined {
    for (const f of this.active) {
      if (f.operation !== "*" && f.operation !== operation) continue;
      if (f.count !== undefined && f.fired >= f.count) continue;
      if (this.random() >= (f.rate ?? 1)) continue;
      f.fired += 1;
      return {
        id: f.id,
        status: f.status,
        code: f.code ?? (f.status !== undefined ? defaultCode(f.status) : undefined),
        message: f.message,
        resetConnection: f.resetConnection ?? false,
        delayMs: f.delayMs ?? 0,
      };
    }
    return undefined;
  }
}

/** Codes from the API errors table (https://docs.oracle.com/en-us/iaas/Content/API/References/apierrors.htm). */
function defaultCode(status: number): string {
  switch (status) {
    case 400:
      return "InvalidParameter";
    case 401:
      return "NotAuthenticated";
    case 404:
      return "NotAuthorizedOrNotFound";
    case 409:
      return "IncorrectState";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalServerError";
    case 502:
      return "BadGateway";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "GatewayTimeout";
    default:
      return "InternalServerError";
  }
}
