import type { OciOperation } from "../../oci/permissions";

/**
 * How long things take, in OCI milliseconds (scaled by the clock's timeScale).
 * Defaults are the project's latency profile (README "Latency"): AttachVnic reaches ATTACHED after
 * 8 s (5–10 s reported; terraform-provider-oci issue 1295 shows attachments taking tens of seconds), CreatePrivateIp
 * 400 ms, DeletePrivateIp 300 ms (assumed like create), reads 100 ms (assumed 50–150 ms), the BulkCreatePrivateIps
 * work request finishes after 2 s (assumed), PutMessages 30 ms (assumed). Values not in that table are marked ASSUMED.
 */
export interface LatencyProfile {
  /** Time to answer each operation; operations not listed use `defaultRead` (GET) or `defaultWrite`. */
  requests: Partial<Record<OciOperation, number>>;
  defaultRead: number;
  defaultWrite: number;
  /** AttachVnic: ATTACHING → ATTACHED. */
  vnicAttach: number;
  /** DetachVnic: DETACHING → DETACHED (ASSUMED 5 s). */
  vnicDetach: number;
  /** Launch through the admin API: PROVISIONING → RUNNING (ASSUMED 30 s). */
  instanceLaunch: number;
  /** Terminate through the admin API: TERMINATING → TERMINATED (ASSUMED 20 s). */
  instanceTerminate: number;
  /** BulkCreatePrivateIps work request: ACCEPTED → SUCCEEDED/FAILED. */
  bulkWorkRequest: number;
}

export const REALISTIC_LATENCY: LatencyProfile = {
  requests: {
    CreatePrivateIp: 400,
    DeletePrivateIp: 300,
    AttachVnic: 300, // ASSUMED: the request itself returns quickly with ATTACHING
    DetachVnic: 300, // ASSUMED
    BulkCreatePrivateIps: 300, // ASSUMED: accepting the work request
    PutMessages: 30,
    GetMessages: 30, // ASSUMED like PutMessages
    CreateCursor: 30, // ASSUMED like PutMessages
  },
  defaultRead: 100,
  defaultWrite: 300,
  vnicAttach: 8000,
  vnicDetach: 5000,
  instanceLaunch: 30000,
  instanceTerminate: 20000,
  bulkWorkRequest: 2000,
};

export const ZERO_LATENCY: LatencyProfile = {
  requests: {},
  defaultRead: 0,
  defaultWrite: 0,
  vnicAttach: 0,
  vnicDetach: 0,
  instanceLaunch: 0,
  instanceTerminate: 0,
  bulkWorkRequest: 0,
};

/** Resolves the `latency` option: a named profile or a partial override of the realistic one. */
export function resolveLatency(option: "realistic" | "zero" | Partial<LatencyProfile> | undefined): LatencyProfile {
  if (option === undefined || option === "realistic") return REALISTIC_LATENCY;
  if (option === "zero") return ZERO_LATENCY;
  return { ...REALISTIC_LATENCY, ...option, requests: { ...REALISTIC_LATENCY.requests, ...(option.requests ?? {}) } };
}

/** Response latency of one operation under a profile. */
export function requestLatency(profile: LatencyProfile, operation: OciOperation, method: string): number {
  return profile.requests[operation] ?? (method === "GET" ? profile.defaultRead : profile.defaultWrite);
}
