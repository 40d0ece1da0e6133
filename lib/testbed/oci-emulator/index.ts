import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parsePolicy } from "../iam";
import { silentLogger, type Log } from "../../log";
import { EmulatorAdmin } from "./admin";
import { ScaledClock } from "./clock";
import { writeOciConfig, type WrittenOciConfig } from "./config-file";
import { Counters } from "./counters";
import { DEFAULT_SECONDARY_IPS_PER_VNIC, DEFAULT_SUBNET_UPDATING_SECONDS, DEFAULT_WORLD } from "./default-world";
import type { OciEventEnvelope } from "./events";
import { Faults } from "./faults";
import { OciServiceError } from "./http/errors";
import { handleAdmin } from "./http-admin";
import { resolveLatency, type LatencyProfile } from "./latency";
import { PrincipalRegistry, type OciCredentials, type PrincipalSpec } from "./principals";
import { RetryTokens } from "./retry-tokens";
import { OciPipeline, readBody, send } from "./server";
import { Throttle } from "./throttle";
import { IdFactory } from "./world/ids";
import type { WorldSpec } from "./world/spec";
import { World, regionKey } from "./world/world";

export type { EmulatorAdmin, WorldSnapshot } from "./admin";
export type { OciEventEnvelope } from "./events";
export type { FaultSpec } from "./faults";
export type { LatencyProfile } from "./latency";
export type { OperationFamily } from "./operations";
export type { OciCredentials, PrincipalSpec } from "./principals";
export type { BucketSpec } from "./throttle";
export type { InstanceSpec, WorldSpec } from "./world/spec";
export type { WrittenOciConfig } from "./config-file";
export { DEFAULT_WORLD } from "./default-world";
export { SPLIT_COMPARTMENTS_WORLD } from "./split-compartments-world";

export interface OciEmulatorOptions {
  /** Port on `host`; 0 (default) picks a free one. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The world to start with; default DEFAULT_WORLD. */
  world?: WorldSpec;
  /** "realistic" (default, the design's latency table), "zero", or overrides of the realistic profile. */
  latency?: "realistic" | "zero" | Partial<LatencyProfile>;
  /** Multiplies every modelled duration (0.01: an 8 s attach takes 80 ms). Default 1. */
  timeScale?: number;
  /** IAM policy statements evaluated when `enforceIam` is on. */
  policies?: string[];
  /** Default false: every signed call is allowed. */
  enforceIam?: boolean;
  /**
   * The principal behind `credentials`; default user "ocipam-local" in group "Administrators" and dynamic group
   * "ocipam-allocator".
   */
  principal?: PrincipalSpec;
  log?: Log;
}

/** A running emulator. */
export interface OciEmulator {
  /** Base URL without API version, e.g. http://127.0.0.1:PORT; assign it to `client.endpoint`. */
  readonly endpoint: string;
  /** The default principal's API key material. */
  readonly credentials: OciCredentials;
  readonly admin: EmulatorAdmin;
  /** Writes an OCI config file and the PEM key into `dir` (for `ConfigFileAuthenticationDetailsProvider` / the CLI). */
  writeOciConfig(dir: string, profile?: string): WrittenOciConfig;
  /** Subscribes to OCI Events envelopes (instance launch / terminate through the admin API); returns an unsubscribe. */
  onEvent(listener: (event: OciEventEnvelope) => void): () => void;
  /** Stops listening, cancels every pending lifecycle timer and closes open connections. */
  close(): Promise<void>;
}

/** Starts an OCI API emulator on loopback. Nothing is started at import time. */
export async function startOciEmulator(options: OciEmulatorOptions = {}): Promise<OciEmulator> {
  const spec = options.world ?? DEFAULT_WORLD;
  const region = spec.region ?? "us-ashburn-1";
  const log = options.log ?? silentLogger();
  const clock = new ScaledClock(options.timeScale ?? 1);
  const latency = resolveLatency(options.latency);
  const ids = new IdFactory(regionKey(region));
  const tenancyId = spec.tenancyId ?? ids.next("tenancy", false);

  const listeners = new Set<(e: OciEventEnvelope) => void>();
  const recent: OciEventEnvelope[] = [];
  const emit = (event: OciEventEnvelope): void => {
    recent.push(event);
    if (recent.length > 1000) recent.shift();
    for (const l of [...listeners]) {
      try {
        l(event);
      } catch (err) {
        log.error({ err, eventType: event.eventType }, "event listener failed");
      }
    }
  };

  const world = new World({
    ids,
    clock,
    latency,
    region,
    tenancyId,
    secondaryIpsPerVnic: spec.secondaryIpsPerVnic ?? DEFAULT_SECONDARY_IPS_PER_VNIC,
    subnetUpdatingMs: (spec.subnetUpdatingSeconds ?? DEFAULT_SUBNET_UPDATING_SECONDS) * 1000,
    emit,
  });
  const principals = new PrincipalRegistry(tenancyId, region);
  const credentials = principals.add(
    options.principal ?? { name: "ocipam-local", groups: ["Administrators"], dynamicGroups: ["ocipam-allocator"] },
  );
  const counters = new Counters();
  const faults = new Faults();
  const throttle = new Throttle(clock);
  const retryTokens = new RetryTokens(clock);
  let endpoint = "";
  const pipeline = new OciPipeline(
    { world, clock, latency, principals, counters, faults, throttle, retryTokens, log, endpoint: () => endpoint },
    { enforce: options.enforceIam ?? false, statements: parsePolicy(options.policies ?? []) },
  );
  const admin = new EmulatorAdmin({
    world,
    pipeline,
    principals,
    counters,
    faults,
    throttle,
    retryTokens,
    recentEvents: () => [...recent],
    endpoint: () => endpoint,
  });
  admin.seed(spec);

  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        if ((req.url ?? "").startsWith("/_emulator")) return handleAdmin(admin, req, res, body);
        return pipeline.handle(req, res, body);
      })
      .catch((err: unknown) => {
        const e = err instanceof OciServiceError ? err : new OciServiceError(500, "InternalServerError", String(err));
        send(res, e.status, { code: e.code, message: e.message }, {});
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  endpoint = `http://${host}:${address.port}`;
  log.info({ endpoint, tenancyId, region }, "OCI emulator listening");

  let closed = false;
  return {
    endpoint,
    credentials,
    admin,
    writeOciConfig: (dir, profile) => writeOciConfig(dir, credentials, profile),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      clock.close();
      listeners.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
