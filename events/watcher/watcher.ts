import type { Registry } from "prom-client";
import { CILIUM_NODES } from "../../lib/adapters/kube/cilium-node-mapping";
import { createLogger, type Log } from "../../lib/log";
import { createEventValidators } from "../contracts";
import { ClusterNudgeTicker } from "./cluster-nudge-ticker";
import type { WatcherConfig } from "./config";
import { startWatcherHttpServer, type WatcherHttpServer } from "./http-server";
import { type WatcherKubeConfig, watcherKubeClients, watcherKubeConfig } from "./adapters/kube-access";
import { LeaderElector } from "./leader-election";
import { KubeLeaseLock } from "./adapters/lease-lock";
import { ListWatch } from "./adapters/list-watch";
import { WatcherMetrics } from "./metrics";
import { NodeProgress, toProgressView, type ProgressView } from "./node-progress";
import { NudgeWatcher } from "./nudge-watcher";
import { listInPages } from "./adapters/paged-list";
import { createOciAuthProvider, type WatcherOciAuth } from "./adapters/oci-auth";
import { OciStreamPublisher } from "./adapters/oci-stream-publisher";
import type { NudgePublisher } from "./publisher";
import { realScheduler, type Scheduler } from "./scheduler";

/** Replacements for what the configuration would build (tests, `ocipam local`). */
export interface WatcherOverrides {
  log?: Log;
  /** Kubernetes access instead of config.kube (e.g. the emulator's kubeConfigFor("ocipam-system/ocipam-watcher")). */
  kubeConfig?: WatcherKubeConfig;
  /** OCI credentials instead of config.oci. */
  ociAuthProvider?: WatcherOciAuth;
  /** A publisher instead of the oci-streaming one. */
  publisher?: NudgePublisher;
  scheduler?: Scheduler;
  /** Add prom-client's process metrics (default true; off in tests that start several watchers). */
  processMetrics?: boolean;
}

/** A running watcher. */
export interface WatcherHandle {
  /** Port of the /metrics, /healthz, /readyz server. */
  readonly port: number;
  readonly identity: string;
  readonly registry: Registry;
  /** Whether this replica holds the Lease and publishes now (always true without leader election). */
  isLeader(): boolean;
  /** True once the first CiliumNode list arrived. */
  synced(): boolean;
  /** Resolves when no nudge is queued or being published. */
  idle(): Promise<void>;
  /** Stops publishing at once (a leader releases its Lease), then closes the watch, the server and the clients. */
  stop(): Promise<void>;
}

/**
 * Composition of the watcher from its configuration: Kubernetes clients (service account or kubeconfig),
 * list+watch of CiliumNodes, leader election on a Lease, the oci-streaming publisher, metrics and probes.
 * Nothing happens at import time; everything started here is stopped by `stop()`.
 */
export async function startWatcher(config: WatcherConfig, overrides: WatcherOverrides = {}): Promise<WatcherHandle> {
  const log = (overrides.log ?? createLogger({ level: config.logLevel, base: { component: "watcher" } })).child({
    identity: config.identity,
  });
  const scheduler = overrides.scheduler ?? realScheduler;
  const kube = watcherKubeClients(overrides.kubeConfig ?? watcherKubeConfig(config.kube), config.kube.requestTimeoutMs);

  let metrics: WatcherMetrics | undefined;
  const publisher: NudgePublisher =
    overrides.publisher ??
    new OciStreamPublisher({
      streamId: config.stream.id,
      endpoint: config.stream.endpoint,
      authenticationDetailsProvider: overrides.ociAuthProvider ?? (await createOciAuthProvider(config.oci)),
      ...config.publish,
      scheduler,
      log,
      onRequest: (seconds, outcome) => metrics?.publishRequest(seconds, outcome),
    });

  let elector: LeaderElector | undefined;
  const isLeader = () => (elector ? elector.isLeader() : true);
  // Compiled once, now: compiling the schemas on the first nudge would stall the event loop while leading.
  const validators = createEventValidators();
  const core = new NudgeWatcher({
    validators,
    clusterName: config.clusterName,
    nudgeExcess: config.nudgeExcess,
    resyncMs: config.resyncMs,
    resyncMaxMs: config.resyncMaxMs,
    failureRetryMs: config.failureRetryMs,
    batch: config.batch,
    publisher,
    scheduler,
    isLeader,
    log,
    onPublished: (reason) => metrics?.nudgePublished(reason),
  });

  const collector = new ClusterNudgeTicker({
    clusterName: config.clusterName,
    intervalMs: config.collectLeaksMs,
    publisher,
    scheduler,
    isLeader,
    log,
    validators,
  });
  const setLeading = (leading: boolean) => {
    core.setLeading(leading);
    collector.setLeading(leading);
  };

  // Join → ready times and stalls (metrics only): fed the same events, after the nudge logic.
  const progress = new NodeProgress({
    now: () => scheduler.now(),
    onJoinToReady: (seconds) => metrics?.joinedToReady(seconds),
  });
  const nodes = new ListWatch<ProgressView>({
    kind: "CiliumNodes",
    kubeConfig: kube.kubeConfig,
    path: `/apis/${CILIUM_NODES.group}/${CILIUM_NODES.version}/${CILIUM_NODES.plural}`,
    list: (onPage) =>
      listInPages<unknown>(
        (cont, limit) => kube.customObjects.listClusterCustomObject({ ...CILIUM_NODES, limit, _continue: cont }),
        onPage,
      ),
    map: toProgressView,
    onEvent: (event) => {
      try {
        core.apply(event);
      } finally {
        progress.apply(event);
      }
    },
    onRestart: (cause) => metrics?.watchRestarted(cause),
    scheduler,
    ...config.watch,
    log,
  });

  metrics = new WatcherMetrics(
    { nodes: () => core.watched(), isLeader, progress, backedOff: () => core.backedOff() },
    { processMetrics: overrides.processMetrics ?? true },
  );

  // The ticker drives re-emission; its last turn also tells /healthz the event loop is alive.
  const tickMs = Math.max(10, Math.min(1000, config.resyncMs / 4, config.failureRetryMs / 2));
  let lastTickAt = scheduler.now();
  let cancelTick: (() => void) | undefined;
  let running = true;
  const tick = () => {
    lastTickAt = scheduler.now();
    try {
      core.tick();
    } finally {
      if (running) cancelTick = scheduler.after(tickMs, tick);
    }
  };

  let server: WatcherHttpServer;
  try {
    server = await startWatcherHttpServer({
      host: config.http.host,
      port: config.http.port,
      registry: metrics.registry,
      live: () => {
        const silentMs = scheduler.now() - lastTickAt;
        return { ok: silentMs < Math.max(30_000, 10 * tickMs), silentMs };
      },
      ready: () => {
        const leading = isLeader();
        const health = core.publishHealth();
        const synced = nodes.synced();
        return {
          ok: synced && (!leading || health.lastOk),
          synced,
          leader: leading,
          lastPublishOk: health.lastOk,
          ...(health.lastError && { lastPublishError: health.lastError }),
          consecutivePublishFailures: health.consecutiveFailures,
        };
      },
    });
  } catch (err) {
    await publisher.close();
    throw err;
  }

  nodes.start();
  if (config.leaderElection.enabled) {
    const le = config.leaderElection;
    elector = new LeaderElector({
      lock: new KubeLeaseLock(kube.coordination, le.namespace, le.name),
      identity: config.identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      scheduler,
      log,
      onStartedLeading: () => setLeading(true),
      onStoppedLeading: () => setLeading(false),
      onNewLeader: (leader) => log.info({ leader: leader || null }, "leader observed"),
    });
    elector.start();
  } else {
    setLeading(true);
  }
  cancelTick = scheduler.after(tickMs, tick);
  log.info(
    {
      port: server.port,
      stream: config.stream.id,
      resyncMs: config.resyncMs,
      collectLeaksMs: config.collectLeaksMs,
      leaderElection: config.leaderElection.enabled,
      lease: `${config.leaderElection.namespace}/${config.leaderElection.name}`,
    },
    "watcher started",
  );

  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    identity: config.identity,
    registry: metrics.registry,
    isLeader,
    synced: () => nodes.synced(),
    idle: () => core.idle(),
    stop() {
      stopping ??= (async () => {
        running = false;
        cancelTick?.();
        // Publishing stops first (and the Lease is released) so the other replica can take over at once.
        if (elector) await elector.stop();
        await core.stop();
        await collector.stop();
        await nodes.stop();
        await publisher.close();
        await server.close();
        log.info("watcher stopped");
      })();
      return stopping;
    },
  };
}
