import { silentLogger, type Log } from "../../lib/log";
import { buildNudge, encodeNudgeForStream, type EventValidators } from "../contracts";
import type { NudgePublisher } from "./publisher";
import type { Scheduler } from "./scheduler";

export interface ClusterNudgeTickerOptions {
  clusterName: string;
  /** Time between two collect-leaks nudges; 0 disables them. */
  intervalMs: number;
  publisher: NudgePublisher;
  scheduler: Scheduler;
  /** Asked right before each put: false skips it (leadership was lost meanwhile). */
  isLeader(): boolean;
  log?: Log;
  idFactory?: () => string;
  validators?: EventValidators;
  /** Called for each collect-leaks nudge the stream accepted. */
  onPublished?(): void;
}

/**
 * The periodic cluster-level nudge (`io.ocipam.cluster.collect-leaks`, key = the cluster name) that makes the
 * allocator function run one leak-collection pass (lib/collect). Only the leader sends it, one every `intervalMs`
 * from the moment it starts leading (not at once: a replica that keeps restarting must not make the function collect
 * on every restart). One small PutMessages of its own, outside the node batches: its rhythm is minutes, and a failed
 * put is simply tried again at the next interval — the collector marks on one pass and deletes on a later one, so a
 * missed pass only delays collection.
 */
export class ClusterNudgeTicker {
  private cancel: (() => void) | undefined;
  private abort = new AbortController();
  private sending: Promise<void> | undefined;
  private readonly log: Log;
  /** Nudges the stream accepted (for tests and metrics). */
  published = 0;
  failures = 0;

  constructor(private readonly options: ClusterNudgeTickerOptions) {
    this.log = options.log ?? silentLogger();
  }

  /** Called when this replica starts (true) or stops (false) leading: starts or cancels the timer. */
  setLeading(leading: boolean): void {
    this.cancel?.();
    this.cancel = undefined;
    if (!leading) {
      this.abort.abort();
      this.abort = new AbortController();
      return;
    }
    if (this.options.intervalMs > 0) this.schedule();
  }

  /** Stops the timer and waits for a put in progress. */
  async stop(): Promise<void> {
    this.setLeading(false);
    await this.sending;
  }

  private schedule(): void {
    this.cancel = this.options.scheduler.after(this.options.intervalMs, () => {
      this.sending = this.send().finally(() => (this.sending = undefined));
      this.schedule();
    });
  }

  private async send(): Promise<void> {
    if (!this.options.isLeader()) return;
    const signal = this.abort.signal;
    try {
      const nudge = buildNudge(
        { type: "io.ocipam.cluster.collect-leaks", cluster: this.options.clusterName },
        {
          now: () => new Date(this.options.scheduler.now()),
          idFactory: this.options.idFactory,
          validators: this.options.validators,
        },
      );
      const [result] = await this.options.publisher.publish([encodeNudgeForStream(nudge)], signal);
      if (result?.ok) {
        this.published++;
        this.options.onPublished?.();
        this.log.info({ cluster: this.options.clusterName }, "collect-leaks nudge published");
        return;
      }
      this.failures++;
      this.log.warn(
        { error: result && !result.ok ? result.error : "MissingResult" },
        "collect-leaks nudge not published; the next interval tries again",
      );
    } catch (err) {
      this.failures++;
      this.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        "collect-leaks nudge not published; the next interval tries again",
      );
    }
  }
}
