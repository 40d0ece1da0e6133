import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { toKubeError } from "../../../lib/adapters/kube/errors";
import { silentLogger, type Log } from "../../../lib/log";
import { KubeApiError } from "../../../lib/ports/kube-errors";
import { backoffDelay, sleep, type Scheduler } from "../scheduler";

/** What a list+watch reports to its consumer. */
export type ListWatchEvent<T> =
  /** A full list (first one and every relist): anything not in it is gone. */
  { type: "synced"; items: T[] } | { type: "upsert"; item: T } | { type: "delete"; name: string };

export interface ListWatchOptions<T> {
  /** Human name for logs ("CiliumNodes"). */
  kind: string;
  kubeConfig: KubeConfig;
  /** Collection path, e.g. `/apis/cilium.io/v2/ciliumnodes`. */
  path: string;
  /**
   * Lists every object, page by page (see paged-list.ts): hands each page's objects to `onPage` as soon as it
   * arrives and resolves with the list's resourceVersion. Each page is mapped at once and its objects dropped, so a
   * relist of 5,000 CiliumNodes never holds all of them as served at the same time.
   */
  list(onPage: (objects: unknown[]) => void): Promise<{ resourceVersion: string }>;
  /**
   * Maps one object as served to what the consumer keeps (keep it small: the watcher holds one per CiliumNode);
   * throws for an object it cannot use (it is skipped and logged).
   */
  map(object: unknown): T;
  /** Called synchronously for each list and each watch event, in order. A throw is logged and the event skipped. */
  onEvent(event: ListWatchEvent<T>): void;
  scheduler: Scheduler;
  /** No event and no bookmark for this long: the watch is presumed dead and restarted. */
  watchdogMs: number;
  /** Backoff after a failed list or watch (base, cap). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Server-side watch timeout; default random in [5, 10) min like client-go's reflector. */
  watchTimeoutSeconds?: () => number;
  random?: () => number;
  log?: Log;
  /** Called whenever a list or watch fails (metrics, readiness). */
  onError?: (error: Error) => void;
  /** Called each time a watch ends and a new one (or a relist) follows, with why. */
  onRestart?: (cause: WatchRestartCause) => void;
}

/** Why a watch ended: the server closed it, 410 Gone (relist), the watchdog, or an error (backoff). */
export type WatchRestartCause = "closed" | "expired" | "watchdog" | "error";

type WatchEnd =
  | { kind: "closed" }
  | { kind: "expired"; events: number }
  | { kind: "watchdog" }
  | { kind: "stopped" }
  | { kind: "error"; error: Error };

/** Counters of what the loop did (for tests and logs). */
export interface ListWatchStats {
  lists: number;
  watches: number;
  expired: number;
  watchdogRestarts: number;
  errors: number;
}

/**
 * List then watch, for ever, the way client-go's reflector does (tools/cache/reflector.go ListAndWatch): the watch
 * starts at the list's resourceVersion with `allowWatchBookmarks=true` and a server-side `timeoutSeconds` of
 * 5–10 minutes; a watch the server ends normally is resumed from the last resourceVersion seen (object or
 * bookmark); "410 Gone" — as the HTTP status or as an ERROR event, the API server's "too old resource version" —
 * triggers a relist; any other failure is retried with backoff. A watchdog restarts a watch that has delivered
 * nothing (not even a bookmark) for `watchdogMs`, which catches half-open connections no error ever reports.
 *
 * Written on client-node's `Watch` rather than its informer because the informer neither asks for bookmarks nor
 * reports them (so a watchdog could not tell an idle watch from a dead one) and stops for good on any error other
 * than 410 (node_modules/@kubernetes/client-node/dist/cache.js, 1.4.0).
 */
export class ListWatch<T extends { name: string }> {
  private stopped = true;
  private loop: Promise<void> | undefined;
  private resourceVersion = "";
  private hasSynced = false;
  private failures = 0;
  private lastSeen = 0;
  private stopWatch: (() => void) | undefined;
  private stopSleep: AbortController | undefined;
  private readonly log: Log;
  private readonly random: () => number;
  readonly stats: ListWatchStats = { lists: 0, watches: 0, expired: 0, watchdogRestarts: 0, errors: 0 };

  constructor(private readonly options: ListWatchOptions<T>) {
    this.log = options.log ?? silentLogger();
    this.random = options.random ?? Math.random;
  }

  /** Starts listing and watching in the background. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops the loop and closes the watch connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopSleep?.abort();
    this.stopWatch?.();
    await this.loop;
  }

  /** True once a first list has been delivered (and stays true across relists). */
  synced(): boolean {
    return this.hasSynced;
  }

  /** When the last event, bookmark or list arrived (ms); 0 before any. */
  lastSeenAt(): number {
    return this.lastSeen;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.resourceVersion) {
        if (!(await this.relist())) {
          await this.backoff();
          continue;
        }
      }
      const end = await this.watchOnce();
      if (end.kind === "stopped") return;
      this.options.onRestart?.(end.kind);
      switch (end.kind) {
        case "closed":
          this.failures = 0; // the server ended a healthy watch (timeoutSeconds): resume at once
          break;
        case "expired":
          this.stats.expired++;
          this.log.info(
            { kind: this.options.kind, resourceVersion: this.resourceVersion },
            "watch expired (410 Gone): relisting",
          );
          this.resourceVersion = "";
          // A server answering 410 to a fresh list's resourceVersion would otherwise make us relist in a hot loop.
          if (end.events === 0) await this.backoff();
          break;
        case "watchdog":
          this.stats.watchdogRestarts++;
          this.log.warn(
            { kind: this.options.kind, silentMs: this.options.scheduler.now() - this.lastSeen },
            "watch silent past the watchdog: restarting it",
          );
          break;
        case "error":
          this.report(end.error);
          this.log.warn({ kind: this.options.kind, err: end.error.message }, "watch failed: retrying with backoff");
          await this.backoff();
          break;
      }
    }
  }

  private async relist(): Promise<boolean> {
    this.stats.lists++;
    let listed: { resourceVersion: string };
    const items: T[] = [];
    try {
      listed = await this.options.list((objects) => {
        for (const object of objects) {
          const item = this.mapOrSkip(object);
          if (item) items.push(item);
        }
      });
    } catch (err) {
      const error = toKubeError(`list ${this.options.kind}`, err);
      this.report(error);
      this.log.warn({ kind: this.options.kind, err: error.message }, "list failed: retrying with backoff");
      return false;
    }
    if (this.stopped) return false;
    this.resourceVersion = listed.resourceVersion;
    this.lastSeen = this.options.scheduler.now();
    this.failures = 0;
    this.hasSynced = true;
    this.deliver({ type: "synced", items });
    // A list without a resourceVersion cannot start a watch from it; "0" would replay from any point, so relist later.
    if (!this.resourceVersion) this.log.warn({ kind: this.options.kind }, "list carried no resourceVersion");
    return this.resourceVersion !== "";
  }

  /** One watch connection, from the current resourceVersion until it ends one way or another. */
  private watchOnce(): Promise<WatchEnd> {
    this.stats.watches++;
    const { scheduler } = this.options;
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      let controller: AbortController | undefined;
      let cancelWatchdog: () => void = () => undefined;
      let expired = false;
      let events = 0;
      const finish = (end: WatchEnd) => {
        if (settled) return;
        settled = true;
        cancelWatchdog();
        this.stopWatch = undefined;
        controller?.abort();
        resolve(end);
      };
      this.stopWatch = () => finish({ kind: "stopped" });
      this.lastSeen = scheduler.now();

      const armWatchdog = (delay: number) => {
        cancelWatchdog = scheduler.after(delay, () => {
          const silent = scheduler.now() - this.lastSeen;
          if (silent >= this.options.watchdogMs) finish({ kind: "watchdog" });
          else armWatchdog(this.options.watchdogMs - silent);
        });
      };
      armWatchdog(this.options.watchdogMs);

      const onEvent = (type: string, object: unknown) => {
        if (settled) return;
        this.lastSeen = scheduler.now();
        if (type !== "ERROR") events++;
        const rv = resourceVersionOf(object);
        switch (type) {
          case "ADDED":
          case "MODIFIED": {
            const item = this.mapOrSkip(object);
            if (item) this.deliver({ type: "upsert", item });
            break;
          }
          case "DELETED": {
            const name = nameOf(object);
            if (name) this.deliver({ type: "delete", name });
            break;
          }
          case "BOOKMARK":
            break;
          case "ERROR": {
            // A metav1.Status; 410 means our resourceVersion fell out of the server's window.
            const code = (object as { code?: unknown } | null)?.code;
            if (code === 410) expired = true;
            else this.log.warn({ kind: this.options.kind, status: object }, "watch ERROR event");
            finish(
              expired
                ? { kind: "expired", events }
                : { kind: "error", error: new Error(`watch ERROR event: ${statusMessage(object)}`) },
            );
            return;
          }
          default:
            return;
        }
        if (rv) this.resourceVersion = rv;
      };
      const onDone = (err: unknown) => {
        if (settled) return;
        const code = statusCodeOf(err);
        if (expired || code === 410) return finish({ kind: "expired", events });
        if (err) {
          // client-node's Watch reports a non-200 answer as a plain Error carrying statusCode.
          const operation = `watch ${this.options.kind}`;
          const error =
            code !== undefined
              ? new KubeApiError(operation, err instanceof Error ? err.message : String(err), { code }, { cause: err })
              : toKubeError(operation, err);
          return finish({ kind: "error", error });
        }
        finish({ kind: "closed" });
      };
      const timeoutSeconds = this.options.watchTimeoutSeconds?.() ?? Math.floor(300 * (this.random() + 1));
      new Watch(this.options.kubeConfig)
        .watch(
          this.options.path,
          { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
          onEvent,
          onDone,
        )
        .then(
          (c) => {
            controller = c;
            // The watchdog or stop() may have fired while the request was still connecting.
            if (settled) c.abort();
          },
          (err: unknown) => onDone(err ?? new Error("watch could not start")),
        );
    });
  }

  /**
   * Hands an event to the consumer. client-node's Watch calls our callback inside a try/catch that silently drops
   * parse errors, so a throw must be caught here or it would vanish, and with it the resourceVersion update.
   */
  private deliver(event: ListWatchEvent<T>): void {
    try {
      this.options.onEvent(event);
    } catch (err) {
      this.log.error(
        { kind: this.options.kind, event: event.type, err: err instanceof Error ? err.message : String(err) },
        "event handler failed",
      );
    }
  }

  private mapOrSkip(object: unknown): T | undefined {
    try {
      return this.options.map(object);
    } catch (err) {
      this.log.warn(
        { kind: this.options.kind, name: nameOf(object), err: err instanceof Error ? err.message : String(err) },
        "skipping an object that cannot be read",
      );
      return undefined;
    }
  }

  private async backoff(): Promise<void> {
    const delay = backoffDelay(this.failures++, this.options.backoffBaseMs, this.options.backoffMaxMs, this.random);
    this.stopSleep = new AbortController();
    await sleep(this.options.scheduler, delay, this.stopSleep.signal);
    this.stopSleep = undefined;
  }

  private report(error: Error): void {
    this.stats.errors++;
    this.options.onError?.(error);
  }
}

function nameOf(object: unknown): string | undefined {
  const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === "string" && name ? name : undefined;
}

function resourceVersionOf(object: unknown): string | undefined {
  const rv = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === "string" && rv ? rv : undefined;
}

function statusCodeOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  if (typeof e?.statusCode === "number") return e.statusCode;
  return typeof e?.code === "number" ? e.code : undefined;
}

function statusMessage(object: unknown): string {
  const o = object as { code?: unknown; reason?: unknown; message?: unknown } | null;
  return [o?.code, o?.reason, o?.message].filter((v) => v !== undefined).join(" ") || "unknown";
}
