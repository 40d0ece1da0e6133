import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Log } from "../log";

/** The port through which the kernel tells the agent that something it cares about changed. */
export interface ChangeMonitor {
  /**
   * Starts watching; `onChange` is called (debounced) after relevant kernel changes. Called once by NodeAgent.start.
   */
  start(onChange: () => void): void;
  /** Stops watching and ends any child process. Idempotent. */
  stop(): Promise<void>;
}

export interface IpMonitorOptions {
  /** The agent's protocol number: route events matter only for routes carrying it. */
  protocol: number;
  log: Log;
  ipPath?: string;
  netns?: string;
  /** Events within this window coalesce into one call (default 200 ms). */
  debounceMs?: number;
  /** Delay before restarting `ip monitor` if it exits (default 1 s). */
  restartDelayMs?: number;
}

/**
 * Follows `ip -N -o monitor link rule route` (one line per netlink event) so the agent reacts at once when
 * - a link appears or changes (a newly attached VNIC's interface shows up, an interface goes down),
 * - any routing rule changes (for instance systemd-networkd dropping "foreign" rules on reconfiguration, which
 *   would otherwise stay missing until the next resync),
 * - a route carrying the agent's protocol changes (routes of others, such as Cilium's, are ignored to avoid churn).
 * The agent's own changes echo back as events and cause one extra pass, which finds nothing to do.
 */
export class IpMonitor implements ChangeMonitor {
  private child: ChildProcess | undefined;
  private stopped = false;
  private debounce: NodeJS.Timeout | undefined;
  private restart: NodeJS.Timeout | undefined;
  private readonly ownRoute: RegExp;

  constructor(private readonly options: IpMonitorOptions) {
    this.ownRoute = new RegExp(`\\bproto ${options.protocol}\\b`);
  }

  start(onChange: () => void): void {
    if (this.stopped || this.child) return;
    const args = [
      ...(this.options.netns ? ["-n", this.options.netns] : []),
      "-N",
      "-o",
      "monitor",
      "link",
      "rule",
      "route",
    ];
    const child = spawn(this.options.ipPath ?? "ip", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (this.relevant(line)) this.schedule(onChange);
    });
    child.stderr!.on("data", (chunk: Buffer) =>
      this.options.log.warn({ stderr: chunk.toString().trim() }, "ip monitor"),
    );
    child.on("error", (err) => this.options.log.warn({ err }, "ip monitor could not run; relying on periodic resync"));
    child.on("exit", (code, signal) => {
      this.child = undefined;
      if (this.stopped) return;
      this.options.log.warn({ code, signal }, "ip monitor exited; restarting");
      this.restart = setTimeout(() => this.start(onChange), this.options.restartDelayMs ?? 1_000);
      // Something may have changed while nobody was listening.
      this.schedule(onChange);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.debounce) clearTimeout(this.debounce);
    if (this.restart) clearTimeout(this.restart);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }

  /** Link and rule lines start with `<n>:` (optionally after `Deleted `); anything else is a route line. */
  private relevant(line: string): boolean {
    return /^(Deleted )?\d+:/.test(line) || this.ownRoute.test(line);
  }

  private schedule(onChange: () => void): void {
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      if (!this.stopped) onChange();
    }, this.options.debounceMs ?? 200);
  }
}
