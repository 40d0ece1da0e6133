import { join } from "node:path";
import * as common from "oci-common";
import { loadWatcherConfig } from "../../../events/watcher/config";
import { startWatcher, type WatcherHandle } from "../../../events/watcher/watcher";
import type { Log } from "../../log";
import { LocalConnector } from "./connector";
import { bundledAllocatorFunction } from "./function-bundle";
import { FunctionSupervisor } from "./function-supervisor";
import { LOCAL_CLUSTER_NAME, startLocalCluster, type LocalCluster } from "./local-cluster";
import type { WorldSpec } from "../oci-emulator";
import { ClusterSimulation } from "./simulation/cluster-simulation";
import { SimClock } from "./simulation/sim-clock";

export interface PipelineOptions {
  timeScale: number;
  latency: "realistic" | "zero";
  shape: string;
  ocpus?: number;
  log: Log;
  /** Extra allocator configuration (e.g. release on, for the scale-down scenario). */
  allocatorConfig?: Record<string, string>;
  /** Extra watcher configuration. */
  watcherConfig?: Record<string, string>;
  /** Connector Hub batch settings (simulated seconds for the time). */
  batchSizeInNum?: number;
  batchTimeSimMs?: number;
  /** Keep the function's last N log lines (for reports and tests). */
  keepFunctionLogs?: number;
  /**
   * The function's timeout in real ms (each invocation's Fn-Deadline; default 120 s). The per-node Lease of a killed
   * invocation lasts until that deadline, so chaos runs at a fast time scale shorten it.
   */
  functionTimeoutMs?: number;
  /**
   * Do not start the watcher: the scenario starts it with `startWatcher()` once the watcher's pod could be scheduled
   * (the fresh-cluster scenario). Until then `watcher` is a stand-in that publishes nothing and is always idle.
   */
  deferWatcher?: boolean;
  /** The OCI world (see LocalClusterOptions.world). */
  world?: WorldSpec;
  /** The function's log level (default info); the bench's timeline reads the debug lines of every OCI call. */
  functionLogLevel?: string;
  /**
   * Function containers running at once (default 1). Connector Hub invokes a function once per partition at a time,
   * so up to one container per partition is busy (see LocalConnector `lanes`): each container here is its own
   * process, with its own request budget, all against the one emulator (and its throttle).
   */
  functionContainers?: number;
}

/** Everything of a local run, started in dependency order and stopped in reverse. */
export interface Pipeline {
  clock: SimClock;
  cluster: LocalCluster;
  fn: FunctionSupervisor;
  /** Every function container (`fn` is the first); one unless `functionContainers` says more. */
  fns: FunctionSupervisor[];
  /** The running watcher; with `deferWatcher`, a stand-in until startWatcher() has run. */
  watcher: WatcherHandle;
  /** Starts the watcher (once; later calls return the same one). */
  startWatcher(): Promise<WatcherHandle>;
  connector: LocalConnector;
  sim: ClusterSimulation;
  stop(): Promise<void>;
}

/** The watcher of a pipeline whose watcher has not started: no replica runs, so nothing is published. */
const NOT_STARTED: WatcherHandle = {
  port: 0,
  identity: "not-started",
  registry: undefined as never,
  isLeader: () => false,
  synced: () => false,
  idle: async () => undefined,
  stop: async () => undefined,
};

/**
 * The whole product on one machine: both emulators (realistic latency, scaled), the allocator function as its
 * shipped bundle behind the FDK socket, the watcher (as ocipam-watcher, publishing to the emulated stream with its
 * own stream-push-only OCI identity), a Connector Hub stand-in (stream-pull identity) feeding the function, and the
 * cluster simulation with its Cilium agent stand-ins.
 */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const clock = new SimClock(options.timeScale);
  const scaled = (simMs: number) => Math.max(clock.real(simMs), 1);
  const cluster = await startLocalCluster({
    latency: options.latency,
    timeScale: options.timeScale,
    log: options.log,
    allocatorConfig: options.allocatorConfig ?? {},
    ...(options.world ? { world: options.world } : {}),
  });
  const started: Array<() => Promise<void>> = [() => cluster.close()];
  const stopStarted = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  try {
    const entry = await bundledAllocatorFunction();
    const fnConfig = { ...cluster.allocatorConfig, OCIPAM_LOG_LEVEL: options.functionLogLevel ?? "info" };
    const fns = Array.from(
      { length: Math.max(1, options.functionContainers ?? 1) },
      () => new FunctionSupervisor(entry, fnConfig, options.log, options.keepFunctionLogs ?? 0),
    );
    const fn = fns[0]!;
    for (const f of fns) started.push(() => f.stop());
    const kubeconfig = await cluster.kube.writeKubeconfig(
      join(cluster.workDir, "watcher.kubeconfig"),
      "ocipam-system/ocipam-watcher",
    );
    const watcherConfig = loadWatcherConfig(
      {
        OCIPAM_WATCHER_CLUSTER_NAME: LOCAL_CLUSTER_NAME,
        OCIPAM_WATCHER_STREAM_ID: cluster.streamId,
        OCIPAM_WATCHER_STREAM_ENDPOINT: cluster.oci.endpoint,
        OCIPAM_WATCHER_RESYNC_SECONDS: String(scaled(60_000) / 1000),
        OCIPAM_WATCHER_FAILURE_RETRY_SECONDS: String(scaled(2_000) / 1000),
        OCIPAM_WATCHER_FLUSH_MS: String(Math.max(Math.round(scaled(100)), 5)),
        OCIPAM_WATCHER_METRICS_ADDRESS: "127.0.0.1",
        OCIPAM_WATCHER_METRICS_PORT: "0",
        OCIPAM_WATCHER_LEADER_ELECTION: "false",
        OCIPAM_WATCHER_OCI_AUTH: "config_file",
        OCIPAM_WATCHER_OCI_CONFIG_FILE: cluster.watcherOciConfig.configPath,
        OCIPAM_WATCHER_OCI_PROFILE: cluster.watcherOciConfig.profile,
        OCIPAM_WATCHER_KUBE_AUTH: "kubeconfig",
        OCIPAM_WATCHER_KUBECONFIG: kubeconfig,
        OCIPAM_WATCHER_LOG_LEVEL: "warn",
        ...options.watcherConfig,
      },
      { hostname: "ocipam-local-watcher" },
    );
    let running: Promise<WatcherHandle> | undefined;
    const launchWatcher = (): Promise<WatcherHandle> => {
      running ??= startWatcher(watcherConfig, { log: options.log, processMetrics: false }).then((handle) => {
        started.push(() => handle.stop());
        pipeline.watcher = handle;
        return handle;
      });
      return running;
    };
    const connector = new LocalConnector({
      auth: new common.ConfigFileAuthenticationDetailsProvider(
        cluster.connectorOciConfig.configPath,
        cluster.connectorOciConfig.profile,
      ),
      messagesEndpoint: cluster.oci.endpoint,
      streamId: cluster.streamId,
      partitions: 3,
      invoke: (payload, callId, deadline, lane) => fns[lane % fns.length]!.invoke(payload, callId, deadline),
      lanes: fns.length,
      batchSizeInNum: options.batchSizeInNum ?? 50,
      batchSizeInKbs: 5120,
      batchTimeMs: scaled(options.batchTimeSimMs ?? 1000),
      functionTimeoutMs: options.functionTimeoutMs ?? 120_000,
      pollIntervalMs: Math.max(Math.round(scaled(500)), 5),
      retryBackoffMs: Math.max(Math.round(scaled(1000)), 10),
      log: options.log,
    });
    connector.start();
    started.push(() => connector.stop());
    const sim = new ClusterSimulation(cluster, {
      clock,
      log: options.log,
      shape: options.shape,
      ...(options.ocpus ? { ocpus: options.ocpus } : {}),
    });
    sim.start();
    started.push(() => sim.stop());
    const pipeline: Pipeline = {
      clock,
      cluster,
      fn,
      fns,
      watcher: NOT_STARTED,
      startWatcher: launchWatcher,
      connector,
      sim,
      stop: stopStarted,
    };
    if (!options.deferWatcher) await launchWatcher();
    return pipeline;
  } catch (err) {
    await stopStarted();
    throw err;
  }
}
