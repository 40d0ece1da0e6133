import type { AllocationIp, CiliumNodeIpam, ReleaseStatus } from "../../lib/core/model";
import type { CiliumNodes, CiliumNodeView } from "../../lib/ports/kube";
import { KubeConflictError } from "../../lib/ports/kube-errors";
import type { Faults } from "./faults";

/**
 * CiliumNodes held in memory with a resourceVersion that every write bumps. A write naming an older resourceVersion
 * is refused as the API server refuses it: 409 Conflict with the message "the object has been modified; please apply
 * your changes to the latest version and try again" (OptimisticLockErrorMsg in kubernetes/kubernetes
 * staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go).
 */
export class FakeCiliumNodes implements CiliumNodes {
  private readonly nodes = new Map<string, CiliumNodeView>();
  private rv = 100;
  /** Every successful write, in order (what a test asserts "status before spec" and pool contents on). */
  readonly writes: Array<{ node: string; kind: "releaseStatus" | "pool"; value: Record<string, unknown> }> = [];

  constructor(private readonly faults: Faults) {}

  /** Creates a CiliumNode as the agent does when it starts (empty pool, nothing used). */
  create(name: string, ipam: Partial<CiliumNodeIpam> = {}): CiliumNodeView {
    const view: CiliumNodeView = {
      name,
      uid: `uid-cn-${name}`,
      resourceVersion: String(++this.rv),
      ipam: { name, pool: {}, used: {}, releaseIps: {}, ...ipam },
    };
    this.nodes.set(name, view);
    return structuredClone(view);
  }

  delete(name: string): void {
    this.nodes.delete(name);
  }

  /** What the object holds now (a copy), for assertions; throws when it does not exist. */
  peek(name: string): CiliumNodeView {
    const view = this.nodes.get(name);
    if (!view) throw new Error(`no CiliumNode ${name} in the fake`);
    return structuredClone(view);
  }

  /** The agent writes `status.ipam.used` (and may answer the release handshake): a change that bumps the version. */
  agentWrites(name: string, change: { used?: string[]; releaseIps?: Record<string, ReleaseStatus> }): void {
    const view = this.nodes.get(name)!;
    if (change.used)
      view.ipam.used = Object.fromEntries(
        change.used.map((a) => [a, { owner: `pod-${a}`, resource: view.ipam.pool[a]?.resource ?? "" }]),
      );
    if (change.releaseIps) view.ipam.releaseIps = { ...change.releaseIps };
    view.resourceVersion = String(++this.rv);
  }

  /** Someone else edits the object (an operator's kubectl edit of pre-allocate, say): the version moves. */
  update(name: string, change: (ipam: CiliumNodeIpam) => void): void {
    const view = this.nodes.get(name)!;
    change(view.ipam);
    view.resourceVersion = String(++this.rv);
  }

  /** Anyone else's write in between (another controller, a label): only the version moves. */
  touch(name: string): void {
    this.nodes.get(name)!.resourceVersion = String(++this.rv);
  }

  /** GET: a copy, or undefined. */
  async get(name: string): Promise<CiliumNodeView | undefined> {
    this.faults.check("kube", "get", [name]);
    const view = this.nodes.get(name);
    return view ? structuredClone(view) : undefined;
  }

  /** The status subresource write of `release-ips`, guarded by resourceVersion. */
  async writeReleaseStatus(
    name: string,
    resourceVersion: string,
    next: Record<string, ReleaseStatus>,
  ): Promise<string> {
    this.faults.check("kube", "writeReleaseStatus", [name, next]);
    const view = this.guard("writeReleaseStatus", name, resourceVersion);
    view.ipam.releaseIps = { ...next };
    view.resourceVersion = String(++this.rv);
    this.writes.push({ node: name, kind: "releaseStatus", value: { ...next } });
    return view.resourceVersion;
  }

  /** The spec write of `ipam.pool` (and pre-allocate), guarded by resourceVersion. */
  async writePool(
    name: string,
    resourceVersion: string,
    next: Record<string, AllocationIp>,
    _previous: Record<string, AllocationIp>,
    preAllocate?: number,
  ): Promise<string> {
    this.faults.check("kube", "writePool", [name, next]);
    const view = this.guard("writePool", name, resourceVersion);
    view.ipam.pool = structuredClone(next);
    if (preAllocate !== undefined) view.ipam.preAllocate = preAllocate;
    view.resourceVersion = String(++this.rv);
    this.writes.push({ node: name, kind: "pool", value: structuredClone(next) });
    return view.resourceVersion;
  }

  async list(): Promise<CiliumNodeView[]> {
    this.faults.check("kube", "list", []);
    return [...this.nodes.values()].map((v) => structuredClone(v));
  }

  private guard(operation: string, name: string, resourceVersion: string): CiliumNodeView {
    const view = this.nodes.get(name);
    if (!view) throw new Error(`${operation}: CiliumNode ${name} not found`);
    if (view.resourceVersion !== resourceVersion) {
      throw new KubeConflictError(
        operation,
        `Operation cannot be fulfilled on ciliumnodes.cilium.io "${name}": ` +
          "the object has been modified; please apply your changes to the latest version and try again",
        { code: 409, statusReason: "Conflict" },
      );
    }
    return view;
  }
}
