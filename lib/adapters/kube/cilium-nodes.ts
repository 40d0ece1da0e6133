import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import type { AllocationIp, ReleaseStatus } from "../../core/model";
import type { CiliumNodes, CiliumNodeView } from "../../ports/kube";
import { CILIUM_NODES, poolMergePatch, releaseStatusMergePatch, toCiliumNodeView } from "./cilium-node-mapping";
import { isNotFound, toKubeError } from "./errors";
import { listAllPages } from "./paging";

/** The field manager recorded in managedFields for every write the allocator makes. */
export const FIELD_MANAGER = "ocipam";

/**
 * client-node's patch Content-Type defaults to JSON Patch; CRDs reject strategic merge (415), so every CiliumNode
 * write says merge-patch explicitly (client-node 1.4.0 dist/gen/apis/CustomObjectsApi.js lists json-patch first).
 */
export const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export interface CiliumNodesAdapterOptions {
  fieldManager?: string;
  pageSize?: number;
}

/**
 * CiliumNodes over CustomObjectsApi (cilium.io/v2 ciliumnodes, cluster-scoped). Writes are resourceVersion-guarded
 * JSON merge patches that touch only what the allocator owns (`spec.ipam.pool`, `spec.ipam.pre-allocate`,
 * `status.ipam.release-ips`); the agent's `status.ipam.used`, the labels it copies from the Node, and everything
 * else stay as they are. Status goes through the /status subresource, as Cilium's operator does (UpdateStatus
 * first, then Update: node.go syncToAPIServer).
 */
export class CiliumNodesAdapter implements CiliumNodes {
  private readonly fieldManager: string;
  constructor(
    private readonly api: CustomObjectsApi,
    private readonly options: CiliumNodesAdapterOptions = {},
  ) {
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
  }

  async get(name: string): Promise<CiliumNodeView | undefined> {
    let object: unknown;
    try {
      object = await this.api.getClusterCustomObject({ ...CILIUM_NODES, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toKubeError(`get CiliumNode ${name}`, err);
    }
    try {
      return toCiliumNodeView(object);
    } catch (err) {
      throw toKubeError(`get CiliumNode ${name}`, err);
    }
  }

  async writeReleaseStatus(
    name: string,
    resourceVersion: string,
    next: Record<string, ReleaseStatus>,
    previous: Record<string, ReleaseStatus>,
  ): Promise<string> {
    const operation = `patch CiliumNode ${name} status.ipam.release-ips`;
    try {
      const res = await this.api.patchClusterCustomObjectStatus(
        {
          ...CILIUM_NODES,
          name,
          body: releaseStatusMergePatch(resourceVersion, next, previous),
          fieldManager: this.fieldManager,
        },
        MERGE_PATCH,
      );
      return resourceVersionOf(res, operation);
    } catch (err) {
      throw toKubeError(operation, err);
    }
  }

  async writePool(
    name: string,
    resourceVersion: string,
    next: Record<string, AllocationIp>,
    previous: Record<string, AllocationIp>,
    preAllocate?: number,
  ): Promise<string> {
    const operation = `patch CiliumNode ${name} spec.ipam.pool`;
    try {
      const res = await this.api.patchClusterCustomObject(
        {
          ...CILIUM_NODES,
          name,
          body: poolMergePatch(resourceVersion, next, previous, preAllocate),
          fieldManager: this.fieldManager,
        },
        MERGE_PATCH,
      );
      return resourceVersionOf(res, operation);
    } catch (err) {
      throw toKubeError(operation, err);
    }
  }

  async list(): Promise<CiliumNodeView[]> {
    try {
      const { items } = await listAllPages<unknown>(
        (cont, limit) => this.api.listClusterCustomObject({ ...CILIUM_NODES, limit, _continue: cont }),
        this.options.pageSize,
      );
      return items.map(toCiliumNodeView);
    } catch (err) {
      throw toKubeError("list CiliumNodes", err);
    }
  }
}

function resourceVersionOf(object: unknown, operation: string): string {
  const rv = (object as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
  if (typeof rv !== "string" || !rv) throw new TypeError(`${operation}: response carries no metadata.resourceVersion`);
  return rv;
}
