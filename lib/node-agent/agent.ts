import type { Log } from "../log";
import type { VnicMetadataSource } from "./imds";
import type { ChangeMonitor } from "./ip-monitor";
import type { RoutingDataplane } from "./iproute2";
import type { RoutingConfig } from "./model";
import type { PoolSource } from "./pool-source";
import { reconcileOnce, type ReconcileOutcome, type ReconcileReport } from "./reconcile";

export interface NodeAgentOptions {
  metadata: VnicMetadataSource;
  pool: PoolSource;
  dataplane: RoutingDataplane;
  config: RoutingConfig;
  log: Log;
  /** Full pass period even when nothing changed (default 60 s): repairs what someone else removed. */
  resyncMs?: number;
  /** Sooner pass when something may settle by itself (default 5 s): a VNIC not yet in IMDS or not yet in the OS. */
  retryMs?: number;
  /** Kernel change notifications (IpMonitor): a pass soon after links, rules or the agent's routes change. */
  monitor?: ChangeMonitor;
  /** Called after every pass (tests and metrics hook). */
  onReport?: (report: ReconcileReport) => void;
}

export interface AgentHealth {
  /** True once a pass has completed with everything it needs read (outcome applied, unchanged or nodeAbsent). */
  ready: boolean;
  lastAttemptAt?: Date;
  lastSuccessAt?: Date;
  lastOutcome?: ReconcileOutcome;
}

/**
 * The reconcile loop: a pass at start, after every pool change, after relevant kernel changes (when a monitor is
 * given), and on a timer (resync, or retry when a pass asks for it). Passes never overlap; triggers that arrive during
 * a pass coalesce into one more pass.
 */
export class NodeAgent {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly state: AgentHealth = { ready: false };

  constructor(private readonly options: NodeAgentOptions) {}

  /** Starts the pool source and the loop; the first pass runs at once (it waits for the pool if needed). */
  async start(): Promise<void> {
    this.unsubscribe = this.options.pool.onChange(() => this.trigger());
    await this.options.pool.start();
    this.options.monitor?.start(() => this.trigger());
    this.trigger();
  }

  /** Requests a pass as soon as possible. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when the pass in progress (if any) and the ones it triggered are done. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  health(): AgentHealth {
    return { ...this.state };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe?.();
    await this.options.monitor?.stop();
    await this.idle();
    await this.options.pool.stop();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      if (this.timer) clearTimeout(this.timer);
      this.state.lastAttemptAt = new Date();
      const report = await reconcileOnce(this.options);
      this.state.lastOutcome = report.outcome;
      if (report.outcome === "applied" || report.outcome === "unchanged" || report.outcome === "nodeAbsent") {
        this.state.lastSuccessAt = new Date();
        this.state.ready = true;
      }
      this.options.onReport?.(report);
      if (!this.stopped) {
        const wait = report.retrySoon ? (this.options.retryMs ?? 5_000) : (this.options.resyncMs ?? 60_000);
        this.timer = setTimeout(() => this.trigger(), wait);
      }
    } while (this.again && !this.stopped);
  }
}
