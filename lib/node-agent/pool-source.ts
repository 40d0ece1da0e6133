import type { NodeIpamSnapshot } from "./model";

/**
 * The port through which the agent learns its own node's pool: a narrow view of the node's CiliumNode.
 * Adapters: KubeCiliumNodePoolSource (list + watch through @kubernetes/client-node); tests use an in-memory one.
 */
export interface PoolSource {
  /**
   * Starts following the node's CiliumNode. Resolves once following has begun (not necessarily after the first
   * read); failures are retried in the background and never reject after that.
   */
  start(): Promise<void>;
  /**
   * The latest snapshot, or undefined while nothing has been read yet (the agent then changes nothing, so a
   * restart never removes routing for pods that still run).
   */
  current(): NodeIpamSnapshot | undefined;
  /**
   * Registers `listener`, called (synchronously, without arguments) after every change of the pool or of the used
   * map, including the first read and the CiliumNode's deletion. Returns a function that unregisters it.
   */
  onChange(listener: () => void): () => void;
  /** Stops following and releases connections and timers. Idempotent. */
  stop(): Promise<void>;
}

/** Snapshot equality on what routing depends on (IPs and their resources), ignoring resourceVersion. */
export function sameIpam(a: NodeIpamSnapshot | undefined, b: NodeIpamSnapshot | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.exists === b.exists && digest(a.pool) === digest(b.pool) && digest(a.used) === digest(b.used);
}

function digest(map: Record<string, { resource?: string }>): string {
  return Object.keys(map)
    .sort()
    .map((ip) => `${ip}=${map[ip]?.resource ?? ""}`)
    .join(",");
}
