import type { OciOperation } from "../../oci/permissions";
import type { ScaledClock } from "./clock";
import { OPERATION_FAMILY, type OperationFamily } from "./operations";

/** A token bucket: `capacity` calls in a burst, refilled at `refillPerSecond` (OCI seconds, scaled by the clock). */
export interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

interface Bucket extends BucketSpec {
  tokens: number;
  last: number;
}

/**
 * Token-bucket throttling per operation family and/or per operation. A call takes one token from every bucket that
 * applies to it (its operation's and its family's); if any is empty the call is answered 429 `TooManyRequests`
 * and takes nothing. No buckets are set by default because OCI publishes no numbers.
 */
export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: ScaledClock) {}

  /** Sets (or, with null, removes) the bucket of a family or an operation; a new bucket starts full. */
  set(target: OperationFamily | OciOperation, spec: BucketSpec | null): void {
    if (spec === null) {
      this.buckets.delete(target);
      return;
    }
    if (!(spec.capacity >= 0) || !(spec.refillPerSecond >= 0))
      throw new Error("bucket capacity and refillPerSecond must be >= 0");
    this.buckets.set(target, { ...spec, tokens: spec.capacity, last: this.clock.now() });
  }

  clear(): void {
    this.buckets.clear();
  }

  private refill(b: Bucket): void {
    const now = this.clock.now();
    const realElapsed = now - b.last;
    b.last = now;
    // Refill happens in OCI time: with timeScale 0.01, one real ms is 100 OCI ms.
    const ociSeconds = this.clock.timeScale > 0 ? realElapsed / this.clock.timeScale / 1000 : Number.POSITIVE_INFINITY;
    b.tokens = Math.min(b.capacity, b.tokens + ociSeconds * b.refillPerSecond);
  }

  /** True when the call may proceed (tokens taken), false when it must be answered 429. */
  take(operation: OciOperation): boolean {
    const applicable = [this.buckets.get(operation), this.buckets.get(OPERATION_FAMILY[operation])].filter(
      (b): b is Bucket => b !== undefined,
    );
    for (const b of applicable) this.refill(b);
    if (applicable.some((b) => b.tokens < 1)) return false;
    for (const b of applicable) b.tokens -= 1;
    return true;
  }
}
