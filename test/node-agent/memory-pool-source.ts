import type { NodeIpamSnapshot } from "../../lib/node-agent/model";
import type { PoolSource } from "../../lib/node-agent/pool-source";

/** A PoolSource whose CiliumNode the test sets directly (the Kubernetes adapter has its own tests). */
export class MemoryPoolSource implements PoolSource {
  private snapshot: NodeIpamSnapshot | undefined;
  private readonly listeners = new Set<() => void>();
  started = false;
  stopped = false;

  constructor(initial?: NodeIpamSnapshot) {
    this.snapshot = initial;
  }

  set(next: NodeIpamSnapshot | undefined): void {
    this.snapshot = next;
    for (const l of [...this.listeners]) l();
  }

  async start(): Promise<void> {
    this.started = true;
  }

  current(): NodeIpamSnapshot | undefined {
    return this.snapshot;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
