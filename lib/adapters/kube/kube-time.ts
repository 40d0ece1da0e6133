/**
 * Kubernetes timestamp formats. `metav1.MicroTime` (Lease acquireTime/renewTime, Event eventTime) is parsed by the
 * API server with the layout RFC3339Micro "2006-01-02T15:04:05.000000Z07:00", which in Go demands exactly six
 * fractional digits (apimachinery pkg/apis/meta/v1/micro_time.go), so JavaScript's millisecond ISO string is not
 * accepted as is. `metav1.Time` is RFC 3339 with second precision.
 */

/** `2024-05-01T10:00:00.123000Z` for a millisecond timestamp. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** `2024-05-01T10:00:00Z` (metav1.Time marshals without fractions). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Milliseconds since the epoch for an RFC 3339 timestamp with any number of fractional digits (MicroTime or
 * Time), or a Date (client-node may deserialize either way). Undefined when absent or malformed.
 */
export function parseKubeTime(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value !== "string") return undefined;
  const m = RFC3339.exec(value.trim());
  if (!m) return undefined;
  const fraction = (m[2] ?? "").padEnd(3, "0").slice(0, 3);
  const ms = Date.parse(`${m[1]}.${fraction}${m[3].toUpperCase()}`);
  return Number.isNaN(ms) ? undefined : ms;
}
