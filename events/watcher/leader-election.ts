import { silentLogger, type Log } from "../../lib/log";
import { LeaseLockConflict, type LeaderRecord, type LeaseLock } from "./adapters/lease-lock";
import type { Scheduler } from "./scheduler";

export interface LeaderElectionOptions {
  lock: LeaseLock;
  /** This replica's identity (pod name). Must not be empty. */
  identity: string;
  /** How long non-leaders wait, without seeing the record change, before taking over (client-go default 15 s). */
  leaseDurationMs: number;
  /** How long the leader keeps leading without a successful renew (client-go default 10 s). */
  renewDeadlineMs: number;
  /** Time between attempts (client-go default 2 s). */
  retryPeriodMs: number;
  scheduler: Scheduler;
  random?: () => number;
  log?: Log;
  /** Called (synchronously) when this replica becomes leader. */
  onStartedLeading?: () => void;
  /** Called (synchronously) the moment this replica stops leading: renew deadline passed, lease lost, or stop(). */
  onStoppedLeading?: () => void;
  /** Called when the observed leader changes (including to ""). */
  onNewLeader?: (identity: string) => void;
}

/** client-go's JitterFactor for the acquire loop (leaderelection.go). */
const JITTER_FACTOR = 1.2;

/**
 * Leader election over a Lease with client-go's algorithm (k8s.io/client-go/tools/leaderelection/leaderelection.go,
 * `tryAcquireOrRenew`):
 * - a candidate takes the Lease when it does not exist, has no holder, or its record has not changed for a whole
 *   lease duration *as observed on the candidate's own clock* (`observedTime`), which tolerates clock skew between
 *   replicas; the take is an update guarded by resourceVersion, so only one candidate wins;
 * - the leader renews every retry period and stops leading as soon as `renewDeadline` has passed since its last
 *   successful renew — checked by a timer, so a hung API request cannot keep a stale leader publishing;
 * - on stop() a leader releases the Lease (holder cleared, duration 1 s, as client-go's ReleaseOnCancel), so the
 *   other replica takes over at its next attempt instead of after a whole lease duration.
 * Unlike client-go's Run, losing the lease does not end the loop: this replica becomes a candidate again (its
 * informer is warm, so it can lead again at once).
 */
export class LeaderElector {
  private observedRecord: LeaderRecord | undefined;
  private observedRaw = "";
  private observedTime = 0;
  private leading = false;
  private lastRenewAt = 0;
  private reportedLeader: string | undefined;
  private stopped = true;
  private cancelLoop: (() => void) | undefined;
  private cancelDeadline: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly log: Log;
  private readonly random: () => number;

  constructor(private readonly options: LeaderElectionOptions) {
    if (!options.identity) throw new RangeError("leader election identity must not be empty");
    if (!(options.leaseDurationMs > options.renewDeadlineMs))
      throw new RangeError("lease duration must be greater than the renew deadline");
    if (!(options.renewDeadlineMs > JITTER_FACTOR * options.retryPeriodMs))
      throw new RangeError("renew deadline must be greater than 1.2 × retry period");
    if (!(options.retryPeriodMs > 0)) throw new RangeError("retry period must be positive");
    this.log = options.log ?? silentLogger();
    this.random = options.random ?? Math.random;
  }

  /** True while this replica holds the Lease and its last renew is younger than the renew deadline. */
  isLeader(): boolean {
    return this.leading && this.options.scheduler.now() - this.lastRenewAt < this.options.renewDeadlineMs;
  }

  /** The last observed holder ("" when none). */
  leader(): string {
    return this.observedRecord?.holderIdentity ?? "";
  }

  /** Starts the acquire/renew loop (first attempt at once). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop; a leader steps down at once and then releases the Lease. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelLoop?.();
    await this.running?.catch(() => undefined);
    const wasLeading = this.leading;
    this.stepDown("stopping");
    if (wasLeading) await this.release();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.cancelLoop = this.options.scheduler.after(delayMs, () => {
      this.running = this.attempt().finally(() => {
        this.running = undefined;
        const base = this.options.retryPeriodMs;
        // Candidates jitter so two replicas do not race at the same instant (wait.JitterUntil); the leader does not.
        this.schedule(this.leading ? base : base + this.random() * (JITTER_FACTOR - 1) * base);
      });
    });
  }

  private async attempt(): Promise<void> {
    let ok = false;
    const t0 = this.options.scheduler.now();
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      this.log.warn(
        { err: err instanceof Error ? err.message : String(err), lease: this.options.lock.describe() },
        "leader election attempt failed",
      );
    }
    this.log.debug({ ms: this.options.scheduler.now() - t0, ok }, "lease attempt");
    if (this.stopped) return;
    this.reportTransition();
    if (ok) {
      const first = !this.leading;
      this.leading = true;
      this.lastRenewAt = this.options.scheduler.now();
      this.armDeadline();
      if (first) {
        this.log.info({ lease: this.options.lock.describe(), identity: this.options.identity }, "became leader");
        this.options.onStartedLeading?.();
      }
    } else if (this.leading && !this.isLeader()) {
      this.stepDown("renew deadline passed");
    } else if (this.leading && this.observedRecord && this.observedRecord.holderIdentity !== this.options.identity) {
      this.stepDown(`lease taken by ${this.observedRecord.holderIdentity || "nobody"}`);
    }
  }

  /** client-go tryAcquireOrRenew: true when this replica holds the Lease after the call. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { lock, identity, scheduler } = this.options;
    const now = scheduler.now();
    const fresh: LeaderRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.options.leaseDurationMs / 1000)),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };

    // 1. Fast path: the leader updates optimistically against the record it wrote last.
    if (this.holdsObserved() && this.isLeaseValid(now) && this.observedRecord) {
      const record = {
        ...fresh,
        acquireTime: this.observedRecord.acquireTime,
        leaseTransitions: this.observedRecord.leaseTransitions,
      };
      try {
        await lock.update(record);
        this.setObserved(record, "");
        return true;
      } catch (err) {
        this.log.debug({ err: String(err) }, "optimistic lease renew failed; reading the lease");
      }
    }

    // 2. Read, or create when absent.
    const current = await lock.get();
    if (!current) {
      try {
        await lock.create(fresh);
      } catch (err) {
        if (err instanceof LeaseLockConflict) return false;
        throw err;
      }
      this.setObserved(fresh, "");
      return true;
    }

    // 3. Note any change of the record and when we saw it (expiry is measured on our own clock).
    if (current.raw !== this.observedRaw) {
      this.setObserved(current.record, current.raw);
    }
    const old = current.record;
    if (old.holderIdentity && this.isLeaseValid(now) && old.holderIdentity !== identity) return false;

    // 4. Take or renew.
    const record: LeaderRecord =
      old.holderIdentity === identity
        ? { ...fresh, acquireTime: old.acquireTime, leaseTransitions: old.leaseTransitions }
        : { ...fresh, leaseTransitions: old.leaseTransitions + 1 };
    try {
      await lock.update(record);
    } catch (err) {
      if (err instanceof LeaseLockConflict) return false;
      throw err;
    }
    this.setObserved(record, "");
    return true;
  }

  private holdsObserved(): boolean {
    return this.observedRecord?.holderIdentity === this.options.identity;
  }

  private isLeaseValid(now: number): boolean {
    return this.observedTime + (this.observedRecord?.leaseDurationSeconds ?? 0) * 1000 > now;
  }

  private setObserved(record: LeaderRecord, raw: string): void {
    this.observedRecord = record;
    this.observedRaw = raw;
    this.observedTime = this.options.scheduler.now();
  }

  /** Steps down by itself when no renew succeeds within the deadline, even if an API call hangs. */
  private armDeadline(): void {
    this.cancelDeadline?.();
    this.cancelDeadline = this.options.scheduler.after(this.options.renewDeadlineMs, () => {
      if (this.leading && !this.isLeader()) this.stepDown("renew deadline passed");
    });
  }

  private stepDown(why: string): void {
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    if (!this.leading) return;
    this.leading = false;
    this.log.warn({ lease: this.options.lock.describe(), identity: this.options.identity, why }, "stopped leading");
    this.options.onStoppedLeading?.();
  }

  /** client-go release(): clears the holder with a 1 s duration so a candidate can take over at once. */
  private async release(): Promise<void> {
    if (!this.holdsObserved() || !this.observedRecord) return;
    const now = this.options.scheduler.now();
    const record: LeaderRecord = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.observedRecord.leaseTransitions,
    };
    try {
      await this.options.lock.update(record);
      this.setObserved(record, "");
      this.log.info({ lease: this.options.lock.describe() }, "released the lease");
    } catch (err) {
      this.log.warn(
        { err: err instanceof Error ? err.message : String(err), lease: this.options.lock.describe() },
        "could not release the lease; it will expire",
      );
    }
  }

  private reportTransition(): void {
    const holder = this.observedRecord?.holderIdentity ?? "";
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    this.options.onNewLeader?.(holder);
  }
}
