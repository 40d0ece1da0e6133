import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { dirname, resolve } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { ConfigError } from "../../errors";
import { silentLogger, type Log } from "../../log";
import { createAdmin, type KubeAdmin } from "./admin";
import { TokenRegistry } from "./auth";
import { bootstrapObjects } from "./bootstrap";
import { builtinResourceTypes } from "./builtins";
import { crdResourceType, resourceTypeFromCrd } from "./crd";
import { KubeHttpServer } from "./http/server";
import { kubeConfigOptions, kubeconfigYaml, type KubeConfigOptions } from "./kubeconfig";
import { applyOrder, readManifests } from "./manifests";
import { metaOf } from "./object-meta";
import { ApiOperations } from "./operations";
import { ResourceRegistry, typeKey } from "./resource-type";
import { selfSignedCertificate } from "./self-signed";
import { Storage } from "./storage";
import { startGarbageCollector } from "./garbage-collector";
import { fillServiceAccountToken, startTokenController } from "./token-controller";

/** The project's own manifests (CRDs, namespace, RBAC), loaded by default. */
export const DEFAULT_MANIFEST_DIR = resolve(__dirname, "..", "..", "..", "infra", "kubernetes");

export interface KubeEmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Listen address; loopback by default (the emulator must never be reachable from elsewhere). */
  host?: string;
  /** Manifest directories to load at start; default [DEFAULT_MANIFEST_DIR]. Pass [] for an empty cluster. */
  manifestDirs?: string[];
  /** Watch history kept (events); a watch from before it answers 410 Expired. Default 1000. */
  watchHistory?: number;
  log?: Log;
  /** Delay before each write request (ms), to model API latency; default 0. */
  writeLatencyMs?: number;
  /** Periodic BOOKMARK interval on watches that allow bookmarks (ms); default 60000 (the cacher's minute). */
  bookmarkIntervalMs?: number;
  /** Certificate and key (PEM) for the TLS side of the port; default: a fresh self-signed one. */
  tls?: { cert: string; key: string };
}

/** An identity for kubeconfigs: "admin" (system:masters) or a service account "namespace/name". */
export type KubeIdentity = "admin" | `${string}/${string}`;

export interface KubeEmulator {
  /** http://127.0.0.1:PORT: plain HTTP (client-node needs skipTLSVerify: true for it). */
  readonly endpoint: string;
  /**
   * https://127.0.0.1:PORT, the same port speaking TLS (self-signed). kubectl sends credentials only over TLS,
   * so kubeconfig files point here.
   */
  readonly httpsEndpoint: string;
  /** The certificate (PEM) the TLS side presents. */
  readonly certificate: string;
  /** "namespace/name" → bearer token for every service account, plus "admin" (group system:masters). */
  readonly tokens: Record<string, string>;
  /** The in-process admin API (no authentication), for tests. */
  readonly store: KubeAdmin;
  /** Options for client-node's `KubeConfig.loadFromOptions` for an identity. */
  kubeConfigOptions(identity: KubeIdentity, namespace?: string): KubeConfigOptions;
  /** A client-node KubeConfig for an identity (client-node is loaded on first use). */
  kubeConfigFor(identity: KubeIdentity, namespace?: string): KubeConfig;
  /**
   * Writes a kubeconfig file for an identity (for kubectl): server httpsEndpoint, the identity's token,
   * insecure-skip-tls-verify. Creates the directory; returns the absolute path.
   */
  writeKubeconfig(path: string, identity: KubeIdentity, namespace?: string): Promise<string>;
  /** Stops serving: ends open watches and connections. */
  close(): Promise<void>;
}

/**
 * Starts the Kubernetes API emulator on loopback with the built-in kinds, the bootstrap RBAC, and the manifests
 * of `manifestDirs` (the project's CRDs, namespace and least-privilege RBAC by default).
 */
export async function startKubeEmulator(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const log = options.log ?? silentLogger();
  const host = options.host ?? "127.0.0.1";
  const registry = new ResourceRegistry();
  const storage = new Storage(options.watchHistory ?? 1000, 0);
  const tokens = new TokenRegistry();
  let ops: ApiOperations;
  for (const rt of builtinResourceTypes()) {
    if (rt.plural === "secrets") rt.prepareForCreate = (obj) => fillServiceAccountToken(obj, tokens, () => ops);
    registry.register(rt);
  }
  registry.register(crdResourceType());
  ops = new ApiOperations(storage, registry, {
    crdChanged(crd, deleted) {
      const rt = resourceTypeFromCrd(crd);
      if (!rt) return;
      if (deleted) registry.unregister(typeKey(rt));
      else registry.register(rt);
    },
  });
  startTokenController(ops);
  startGarbageCollector(ops);
  // Every service account has a token from the moment it exists (what a TokenRequest would return).
  storage.subscribe((ev) => {
    if (ev.typeKey === "serviceaccounts" && ev.type === "ADDED") {
      const meta = metaOf(ev.object);
      tokens.tokenFor(String(meta.namespace), String(meta.name));
    }
  });

  let address = "";
  const http = new KubeHttpServer({
    ops,
    tokens,
    log,
    serverAddress: () => address,
    writeLatencyMs: options.writeLatencyMs ?? 0,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
  });
  const admin = createAdmin(ops, {
    closeWatches: () => http.closeWatches(),
    bookmarkNow: () => http.bookmarkAll(),
    openWatchCount: () => http.openWatchCount(),
  });

  for (const obj of bootstrapObjects()) admin.apply(obj);
  const dirs = options.manifestDirs ?? [DEFAULT_MANIFEST_DIR];
  for (const dir of dirs) if (!existsSync(dir)) throw new ConfigError("manifestDirs", `${dir} does not exist`);
  for (const doc of applyOrder(readManifests(dirs))) {
    if (!registry.byKind(String(doc.object.apiVersion), String(doc.object.kind))) {
      log.warn(
        { file: doc.file, kind: doc.object.kind, apiVersion: doc.object.apiVersion },
        "kube emulator: kind not served, manifest skipped",
      );
      continue;
    }
    try {
      admin.apply(doc.object);
    } catch (err) {
      throw new ConfigError(
        "manifestDirs",
        `${doc.file}: ${String(doc.object.kind)} ${String(metaOf(doc.object).name)}: ${(err as Error).message}`,
      );
    }
  }

  // One port, two protocols: a TLS ClientHello starts with the handshake record type 0x16; anything else is
  // plain HTTP. The first bytes are read, pushed back, and the socket handed to the matching server.
  const tls = options.tls ?? selfSignedCertificate();
  const handler = http.handle.bind(http);
  const plain = createHttpServer(handler);
  const secure = createHttpsServer({ cert: tls.cert, key: tls.key }, handler);
  plain.keepAliveTimeout = 5_000;
  secure.keepAliveTimeout = 5_000;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("data", (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? secure : plain).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  address = `${urlHost}:${port}`;
  const endpoint = `http://${address}`;
  const httpsEndpoint = `https://${address}`;
  log.info({ endpoint, httpsEndpoint }, "kube emulator listening");

  const identityToken = (identity: KubeIdentity): { user: string; token: string } => {
    if (identity === "admin") return { user: "admin", token: tokens.adminToken };
    const [ns, name] = identity.split("/", 2);
    if (!storage.get("serviceaccounts", `${ns}/${name}`))
      throw new ConfigError("identity", `service account ${identity} does not exist in the emulator`);
    return { user: identity.replace("/", "-"), token: tokens.tokenFor(ns, name) };
  };

  let closed = false;
  const emulator: KubeEmulator = {
    endpoint,
    httpsEndpoint,
    certificate: tls.cert,
    get tokens() {
      return tokens.snapshot();
    },
    store: admin,
    kubeConfigOptions(identity, namespace) {
      const { user, token } = identityToken(identity);
      return kubeConfigOptions(endpoint, user, token, namespace);
    },
    kubeConfigFor(identity, namespace) {
      // Loaded lazily: client-node is ESM-only and costs a few hundred ms; the CLI server does not need it.
      const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions(emulator.kubeConfigOptions(identity, namespace));
      return kc;
    },
    async writeKubeconfig(path, identity, namespace) {
      const { user, token } = identityToken(identity);
      const full = resolve(path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, kubeconfigYaml(httpsEndpoint, user, token, namespace), { mode: 0o600 });
      return full;
    },
    async close() {
      if (closed) return;
      closed = true;
      http.closeWatches();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
  return emulator;
}
