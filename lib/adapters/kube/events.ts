import { randomInt } from "node:crypto";
import type { CoreV1Api, CoreV1Event, V1MicroTime } from "@kubernetes/client-node";
import { silentLogger, type Log } from "../../log";
import type { EventTarget, KubeEvents } from "../../ports/kube";
import { toKubeError } from "./errors";
import { formatMicroTime, formatTime } from "./kube-time";

export const REPORTING_CONTROLLER = "ocipam.io/allocator";
export const SOURCE_COMPONENT = "ocipam-allocator";

export interface KubeEventsAdapterOptions {
  /**
   * Namespace of the Events. The involved objects (CiliumNode, Node, OciIpamNode) are cluster-scoped, and for
   * those client-go's recorder writes to "default" (validation accepts default or kube-system when eventTime is set).
   */
  namespace?: string;
  /** `reportingInstance` (required by validation once eventTime is set): which allocator instance reported. */
  reportingInstance?: string;
  clock?: () => number;
  log?: Log;
}

// Validation limits for core/v1 Events with eventTime set (kubernetes pkg/apis/core/validation/events.go
// legacyValidateEvent: reason and action at most 128, message at most 1024, reportingInstance at most 128).
const REASON_MAX = 128;
const MESSAGE_MAX = 1024;

/**
 * KubeEvents over core/v1 Events. Each call creates one Event (count 1; no client-side aggregation as client-go's
 * correlator does). Best effort: failures are logged and swallowed, never thrown.
 */
export class KubeEventsAdapter implements KubeEvents {
  private readonly namespace: string;
  private readonly clock: () => number;
  private readonly log: Log;
  private readonly reportingInstance: string;

  constructor(
    private readonly api: CoreV1Api,
    options: KubeEventsAdapterOptions = {},
  ) {
    this.namespace = options.namespace ?? "default";
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? silentLogger();
    this.reportingInstance = (options.reportingInstance ?? SOURCE_COMPONENT).slice(0, 128);
  }

  async record(target: EventTarget, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    try {
      const body = buildEvent(this.namespace, target, type, reason, message, this.clock(), this.reportingInstance);
      await this.api.createNamespacedEvent({ namespace: this.namespace, body });
    } catch (err) {
      const e = toKubeError(`create Event for ${target.kind} ${target.name}`, err);
      this.log.warn(
        { node: target.name, kind: target.kind, eventReason: reason, err: e.toJSON() },
        "could not record Kubernetes event",
      );
    }
  }
}

/** The Event object (pure; exported for tests). */
export function buildEvent(
  namespace: string,
  target: EventTarget,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
  nowMs: number,
  reportingInstance: string,
): CoreV1Event {
  const shortReason = reason.slice(0, REASON_MAX) || "Unknown";
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: eventName(target.name, nowMs), namespace },
    involvedObject: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, uid: target.uid },
    type,
    reason: shortReason,
    action: shortReason,
    message: message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX - 3)}...` : message,
    source: { component: SOURCE_COMPONENT },
    reportingComponent: REPORTING_CONTROLLER,
    reportingInstance,
    // metav1.Time fields go out as second-precision RFC 3339 strings (as client-go sends them); client-node passes
    // strings through its Date serializer untouched.
    firstTimestamp: formatTime(nowMs) as unknown as Date,
    lastTimestamp: formatTime(nowMs) as unknown as Date,
    eventTime: formatMicroTime(nowMs) as unknown as V1MicroTime,
    count: 1,
  };
}

/**
 * `<object name>.<hex>` as client-go's recorder names Events (`%v.%x` of the UnixNano time); a random sub-millisecond
 * part keeps two Events of the same millisecond apart. The object name is shortened so the whole stays a
 * 253-character DNS subdomain.
 */
export function eventName(objectName: string, nowMs: number): string {
  const suffix = (BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(randomInt(1_000_000))).toString(16);
  const base = objectName.slice(0, 253 - 1 - suffix.length).replace(/[-.]+$/, "") || "object";
  return `${base}.${suffix}`;
}
