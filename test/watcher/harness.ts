import { mkdtempSync, rmSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as common from "oci-common";
import { StreamClient, models } from "oci-streaming";
import { decodeInvocationBody, type NodeNudge } from "../../events/contracts";
import { loadWatcherConfig, type WatcherConfig } from "../../events/watcher/config";
import { startWatcher, type WatcherHandle } from "../../events/watcher/watcher";
import { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions } from "../../lib/testbed/kube-emulator";
import { selfSignedCertificate } from "../../lib/testbed/kube-emulator/self-signed";
import { startOciEmulator, type OciEmulator } from "../../lib/testbed/oci-emulator";
import { pollUntil, type Truthy } from "../support/poll";

/** Both emulators, an OCI config file for the emulator's API key, and the stream the watcher publishes to. */
export interface WatcherEnv {
  oci: OciEmulator;
  kube: KubeEmulator;
  streamId: string;
  ociConfigFile: string;
  /** Watcher configuration for these emulators; `extra` adds or overrides OCIPAM_WATCHER_* keys. */
  config(extra?: Record<string, string>): WatcherConfig;
  /** Starts a watcher as the ocipam-system/ocipam-watcher service account; stopped by close(). */
  startWatcher(extra?: Record<string, string>): Promise<WatcherHandle>;
  /**
   * Every nudge on the stream so far, decoded with the event contracts (all partitions, offset order per partition).
   */
  readNudges(): Promise<NodeNudge[]>;
  /** The same with each message's partition and decoded key. */
  readMessages(): Promise<Array<{ partition: string; key: string | null; nudge: NodeNudge }>>;
  /** Creates a CiliumNode with `pool` IPs, `used` of them in status.ipam.used. */
  createNode(name: string, spec?: { pool?: number; used?: number; preAllocate?: number }): void;
  /** Replaces spec.ipam.pool with `n` IPs, as the function's write would. */
  setPool(name: string, n: number): void;
  close(): Promise<void>;
}

/**
 * Scaled timings for tests: a 0.4 s resync, a 2 s Lease renewed every 0.25 s (renew deadline 1.5 s: a busy test
 * machine can stall the event loop for a few hundred ms, which must not look like a lost leader), a 50 ms flush.
 */
export const FAST: Record<string, string> = {
  OCIPAM_WATCHER_RESYNC_SECONDS: "0.4",
  OCIPAM_WATCHER_FAILURE_RETRY_SECONDS: "0.1",
  OCIPAM_WATCHER_FLUSH_MS: "50",
  OCIPAM_WATCHER_LEASE_DURATION_SECONDS: "2",
  OCIPAM_WATCHER_LEASE_RENEW_DEADLINE_SECONDS: "1.5",
  OCIPAM_WATCHER_LEASE_RETRY_SECONDS: "0.25",
  OCIPAM_WATCHER_WATCH_BACKOFF_MS: "50",
  OCIPAM_WATCHER_WATCH_BACKOFF_MAX_MS: "200",
  OCIPAM_WATCHER_PUBLISH_BACKOFF_MS: "20",
  OCIPAM_WATCHER_PUBLISH_BACKOFF_MAX_MS: "100",
  OCIPAM_WATCHER_METRICS_ADDRESS: "127.0.0.1",
  OCIPAM_WATCHER_METRICS_PORT: "0",
  OCIPAM_WATCHER_LOG_LEVEL: process.env.WATCHER_TEST_LOG ?? "silent",
};

export function ipOf(i: number): string {
  return `10.0.${16 + Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export async function startWatcherEnv(options: { bookmarkIntervalMs?: number } = {}): Promise<WatcherEnv> {
  const oci = await startOciEmulator({ latency: "zero" });
  const kube = await startTestKubeEmulator({ bookmarkIntervalMs: options.bookmarkIntervalMs });
  const dir = mkdtempSync(join(tmpdir(), "ocipam-watcher-"));
  const written = oci.writeOciConfig(dir);
  const stream = oci.admin.snapshot().streams.find((s) => s.name === "ocipam-events");
  if (!stream) throw new Error("the emulator's default world has no ocipam-events stream");
  const streamId = String(stream.id);
  const watchers: WatcherHandle[] = [];
  const reader = new StreamClient(
    {
      authenticationDetailsProvider: new common.ConfigFileAuthenticationDetailsProvider(
        written.configPath,
        written.profile,
      ),
    },
    { circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }) },
  );
  reader.endpoint = oci.endpoint;

  const config = (extra: Record<string, string> = {}) =>
    loadWatcherConfig({
      OCIPAM_WATCHER_CLUSTER_NAME: "local",
      OCIPAM_WATCHER_STREAM_ID: streamId,
      OCIPAM_WATCHER_STREAM_ENDPOINT: oci.endpoint,
      OCIPAM_WATCHER_OCI_AUTH: "config_file",
      OCIPAM_WATCHER_OCI_CONFIG_FILE: written.configPath,
      OCIPAM_WATCHER_IDENTITY: `watcher-${watchers.length + 1}`,
      ...FAST,
      ...extra,
    });

  const setPool = (name: string, n: number) => {
    const pool: Record<string, { resource: string } | null> = {};
    const current = kube.store.get("ciliumnodes", name) as
      | { spec?: { ipam?: { pool?: Record<string, unknown> } } }
      | undefined;
    for (const ip of Object.keys(current?.spec?.ipam?.pool ?? {})) pool[ip] = null;
    for (let i = 0; i < n; i++) pool[ipOf(i)] = { resource: "ocid1.vnic.oc1.iad.emulated" };
    kube.store.patch("ciliumnodes", name, { spec: { ipam: { pool } } });
  };

  const readMessages = async () => {
    const out: Array<{ partition: string; key: string | null; nudge: NodeNudge }> = [];
    const partitions = (stream.partitions as number | undefined) ?? 3;
    for (let p = 0; p < partitions; p++) {
      const cursor = await reader.createCursor({
        streamId,
        createCursorDetails: { partition: String(p), type: models.CreateCursorDetails.Type.TrimHorizon },
      });
      const got = await reader.getMessages({ streamId, cursor: cursor.cursor.value, limit: 10000 });
      // Exactly what Connector Hub hands the function: the same decoder must accept every message.
      const { records, rejected } = decodeInvocationBody(JSON.stringify(got.items));
      if (rejected.length > 0)
        throw new Error(`stream holds messages the contracts reject: ${JSON.stringify(rejected)}`);
      records.forEach((r, i) => {
        const key = got.items[i]?.key;
        if (r.kind === "nudge")
          out.push({
            partition: String(p),
            key: key ? Buffer.from(key, "base64").toString("utf8") : null,
            nudge: r.nudge,
          });
      });
    }
    return out;
  };

  return {
    oci,
    kube,
    streamId,
    ociConfigFile: written.configPath,
    config,
    async startWatcher(extra = {}) {
      const w = await startWatcher(config(extra), {
        kubeConfig: kube.kubeConfigFor("ocipam-system/ocipam-watcher"),
        processMetrics: false,
      });
      watchers.push(w);
      return w;
    },
    readMessages,
    async readNudges() {
      return (await readMessages()).map((m) => m.nudge);
    },
    createNode(name, spec = {}) {
      const pool: Record<string, { resource: string }> = {};
      for (let i = 0; i < (spec.pool ?? 0); i++) pool[ipOf(i)] = { resource: "ocid1.vnic.oc1.iad.emulated" };
      kube.store.create("ciliumnodes", {
        apiVersion: "cilium.io/v2",
        kind: "CiliumNode",
        metadata: { name },
        spec: { ipam: { pool, ...(spec.preAllocate !== undefined && { "pre-allocate": spec.preAllocate }) } },
      });
      if (spec.used) {
        const used: Record<string, { owner: string; resource: string }> = {};
        Object.keys(pool)
          .slice(0, spec.used)
          .forEach((ip, i) => {
            used[ip] = { owner: `default/pod-${i}`, resource: "ocid1.vnic.oc1.iad.emulated" };
          });
        kube.store.patch("ciliumnodes", name, { status: { ipam: { used } } }, { subresource: "status" });
      }
    },
    setPool,
    async close() {
      await Promise.all(watchers.map((w) => w.stop()));
      reader.close();
      await kube.close();
      await oci.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The Kubernetes emulator with a certificate known to load. Its self-signed certificate builder encodes a random
 * serial whose first byte can come out 0x00 with a next byte below 0x80: a non-minimal DER INTEGER that OpenSSL
 * refuses ("illegal padding"), about once in 256 starts. Until that is fixed, the tests pick a certificate that
 * loads rather than fail at random.
 */
export function startTestKubeEmulator(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  for (let i = 0; i < 20; i++) {
    const tls = selfSignedCertificate();
    try {
      createSecureContext({ cert: tls.cert, key: tls.key });
    } catch {
      continue;
    }
    return startKubeEmulator({ ...options, tls });
  }
  throw new Error("no loadable self-signed certificate in 20 tries");
}

/** Polls `check` every 20 ms until it returns a truthy value; fails after `timeoutMs` with `what`. */
export function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 5000): Promise<Truthy<T>> {
  return pollUntil(check, { what, timeoutMs, intervalMs: 20 });
}

/** Resolves after `ms` real milliseconds (used only to show that something does NOT happen within a window). */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** GET a path on the watcher's HTTP server. */
export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** One sample of a Prometheus text exposition, or undefined. `labels` must match exactly as rendered. */
export function metricValue(text: string, name: string, labels = ""): number | undefined {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}
