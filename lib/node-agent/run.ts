import type { Log } from "../log";
import { NodeAgent } from "./agent";
import { readCiliumEgress } from "./adapters/cilium-config-source";
import { loadNodeAgentKubeConfig } from "./adapters/kube-config";
import { KubeCiliumNodePoolSource } from "./adapters/kube-pool-source";
import { CILIUM_CONFIG } from "./cilium-masquerade";
import type { NodeAgentSettings } from "./config";
import { startHealthServer } from "./health-server";
import { ImdsClient } from "./imds";
import { Iproute2Dataplane } from "./iproute2";
import { IpMonitor } from "./ip-monitor";
import type { PoolSource } from "./pool-source";
import { reconcileOnce, type ReconcileReport } from "./reconcile";

export interface RunOptions {
  log: Log;
  /** Do one pass and return its report instead of running the loop. */
  once?: boolean;
  /** With once: plan without applying. */
  dryRun?: boolean;
  /** How long `once` waits for the first read of the CiliumNode (default 30 s). */
  firstReadTimeoutMs?: number;
}

export interface RunningAgent {
  agent: NodeAgent;
  healthPort?: number;
  stop(): Promise<void>;
}

/**
 * Composition of the node agent from its settings: kubeconfig (in-cluster service account when run as the
 * DaemonSet), the CiliumNode pool source, the IMDS client and the iproute2 data plane. Checks the host first
 * (`ip` present, kernel keeps rule protocols) and fails fast with UnsupportedHostError otherwise.
 */
export async function runNodeAgent(
  settings: NodeAgentSettings,
  options: RunOptions,
): Promise<RunningAgent | ReconcileReport> {
  const log = options.log.child({ node: settings.nodeName });
  const dataplane = new Iproute2Dataplane({
    protocol: settings.routing.protocol,
    ipPath: settings.ipPath,
    ...(settings.netns ? { netns: settings.netns } : {}),
  });
  await dataplane.checkSupport();

  const kubeConfig = loadNodeAgentKubeConfig(settings.kubeconfig);
  // Without --egress-cidr, Cilium's own masquerading settings say which egress leaves by the pod's VNIC.
  let routing = settings.routing;
  if (settings.egressFrom === "cilium-config") {
    const egress = await readCiliumEgress(kubeConfig);
    routing = { ...routing, egressCidrs: egress.egressCidrs };
    const source = `${CILIUM_CONFIG.namespace}/${CILIUM_CONFIG.name}`;
    log.info({ egressCidrs: egress.egressCidrs, source }, egress.because);
  }
  const pool = new KubeCiliumNodePoolSource({ kubeConfig, nodeName: settings.nodeName, log });
  const metadata = new ImdsClient({ url: settings.imdsUrl });
  const deps = { metadata, pool, dataplane, config: routing, log };

  if (options.once) {
    await pool.start();
    try {
      await firstRead(pool, options.firstReadTimeoutMs ?? 30_000);
      return await reconcileOnce({ ...deps, dryRun: options.dryRun === true });
    } finally {
      await pool.stop();
    }
  }

  const monitor = new IpMonitor({
    protocol: settings.routing.protocol,
    log,
    ipPath: settings.ipPath,
    ...(settings.netns ? { netns: settings.netns } : {}),
  });
  const agent = new NodeAgent({ ...deps, monitor, resyncMs: settings.resyncMs, retryMs: settings.retryMs });
  await agent.start();
  const health = settings.health
    ? await startHealthServer({
        health: () => agent.health(),
        host: settings.health.host,
        port: settings.health.port,
        maxSilenceMs: 3 * settings.resyncMs + 30_000,
      })
    : undefined;
  const started = {
    resyncMs: settings.resyncMs,
    mtu: routing.mtu,
    protocol: routing.protocol,
    egressCidrs: routing.egressCidrs,
  };
  log.info({ ...started, healthPort: health?.port }, "node agent started");
  return {
    agent,
    ...(health ? { healthPort: health.port } : {}),
    stop: async () => {
      await agent.stop();
      await health?.close();
      log.info("node agent stopped");
    },
  };
}

/** Resolves once the pool source has read the CiliumNode (present or absent); rejects after `timeoutMs`. */
export function firstRead(pool: PoolSource, timeoutMs: number): Promise<void> {
  if (pool.current() !== undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no answer from the Kubernetes API about this node's CiliumNode within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = pool.onChange(() => {
      if (pool.current() === undefined) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}
