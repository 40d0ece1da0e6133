import { clone, type JsonObject } from "./json";
import { metaOf } from "./object-meta";
import type { ApiOperations } from "./operations";
import { PATCH_JSON, PATCH_MERGE, typeKey, type ResourceType } from "./resource-type";
import { KubeStatusError, statusErrors } from "./status";
import type { FaultSpec } from "./faults";
import type { StoredEvent } from "./storage";

/**
 * The in-process admin API tests use: the same semantics as the HTTP API (validation, pruning, resourceVersion,
 * watch events) without authentication, plus levers a real cluster does not offer: compact the watch history to
 * force 410, end every watch, send bookmarks now, and inject conflicts or other failures.
 * Resources are named as kubectl names them: "ciliumnodes.cilium.io", "cn", "nodes", "leases", "ociipamnodes".
 */
export interface KubeAdmin {
  /** Creates an object (POST semantics). `keepStatus` keeps `status` where create would reset it (fixtures). */
  create(resource: string, obj: JsonObject, opts?: { keepStatus?: boolean }): JsonObject;
  /** Creates, or replaces the existing object (like `kubectl apply` of a whole object); status is kept. */
  apply(obj: JsonObject): JsonObject;
  /** The object, or undefined when it does not exist. */
  get(resource: string, name: string, namespace?: string): JsonObject | undefined;
  list(resource: string, opts?: { namespace?: string; labelSelector?: string; fieldSelector?: string }): JsonObject[];
  /** PUT semantics; a missing metadata.resourceVersion means "the current one" (unconditional). */
  update(resource: string, obj: JsonObject): JsonObject;
  /** PUT of the status subresource (what an agent's UpdateStatus does); unconditional without resourceVersion. */
  updateStatus(resource: string, obj: JsonObject): JsonObject;
  /** PATCH, merge patch by default; `subresource: "status"` patches /status. */
  patch(
    resource: string,
    name: string,
    patch: unknown,
    opts?: { type?: "merge" | "json"; namespace?: string; subresource?: "status" },
  ): JsonObject;
  /** DELETE; true when the object is gone, false when finalizers keep it. */
  delete(resource: string, name: string, namespace?: string): boolean;
  /** The current global resourceVersion. */
  resourceVersion(): string;
  /** Drops watch history up to `resourceVersion` (default: now): older watches and continue tokens get 410. */
  compactHistory(resourceVersion?: string): void;
  /** Ends every open watch stream; clients re-watch from their last resourceVersion. */
  closeWatches(): void;
  /** Sends a BOOKMARK now on every watch that allowed bookmarks. */
  bookmarkNow(): void;
  /** How many watch streams are open (to wait until a client is watching). */
  openWatchCount(): number;
  /** The next `times` (default 1) writes (update/patch) of this object answer 409 Conflict. */
  injectConflict(resource: string, name: string, opts?: { times?: number; namespace?: string }): void;
  /** Arms any failure (see FaultSpec); `spec.resource` may be any kubectl-style name. */
  injectFault(spec: FaultSpec): void;
  clearFaults(): void;
  /** Calls `listener` for every stored change; returns the unsubscribe function. */
  onChange(listener: (event: StoredEvent) => void): () => void;
  /** Resolves a kubectl-style resource name (throws when unknown). */
  resourceType(resource: string): ResourceType;
}

export interface AdminHooks {
  closeWatches(): void;
  bookmarkNow(): void;
  openWatchCount(): number;
}

export function createAdmin(ops: ApiOperations, hooks: AdminHooks): KubeAdmin {
  const resolve = (resource: string): ResourceType => {
    const rt = ops.registry.resolve(resource);
    if (!rt) throw new KubeStatusError(statusErrors.generic(404).status);
    return rt;
  };
  const withCurrentRv = (rt: ResourceType, obj: JsonObject): JsonObject => {
    const copy = clone(obj);
    const meta = metaOf(copy);
    if (!meta.resourceVersion) {
      const current = ops.storage.get(
        typeKey(rt),
        rt.namespaced ? `${meta.namespace}/${meta.name}` : String(meta.name),
      );
      if (current) meta.resourceVersion = metaOf(current).resourceVersion;
    }
    return copy;
  };
  const admin: KubeAdmin = {
    create(resource, obj, opts) {
      const rt = resolve(resource);
      return ops.create(rt, metaOf(clone(obj)).namespace, obj, { keepStatus: opts?.keepStatus }).object;
    },
    apply(obj) {
      const rt = ops.registry.byKind(String(obj.apiVersion), String(obj.kind));
      if (!rt) throw new KubeStatusError(statusErrors.generic(404).status);
      const meta = metaOf(clone(obj));
      const ns = rt.namespaced ? (meta.namespace ?? "default") : undefined;
      const body = clone(obj);
      if (ns) metaOf(body).namespace = ns;
      try {
        return ops.create(rt, ns, body, { keepStatus: true }).object;
      } catch (err) {
        if (!(err instanceof KubeStatusError && err.status.reason === "AlreadyExists")) throw err;
      }
      const current = ops.get(rt, ns, String(meta.name));
      metaOf(body).resourceVersion = metaOf(current).resourceVersion;
      const updated = ops.update(rt, ns, String(meta.name), body).object;
      if (rt.statusSubresource && body.status !== undefined)
        return ops.update(rt, ns, String(meta.name), { ...updated, status: body.status }, "status").object;
      return updated;
    },
    get(resource, name, namespace) {
      const rt = resolve(resource);
      try {
        return ops.get(rt, namespace, name);
      } catch (err) {
        if (err instanceof KubeStatusError && err.status.code === 404) return undefined;
        throw err;
      }
    },
    list(resource, opts = {}) {
      return ops.list(resolve(resource), opts.namespace, {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      }).items;
    },
    update(resource, obj) {
      const rt = resolve(resource);
      const body = withCurrentRv(rt, obj);
      const meta = metaOf(body);
      return ops.update(rt, meta.namespace, String(meta.name), body).object;
    },
    updateStatus(resource, obj) {
      const rt = resolve(resource);
      const body = withCurrentRv(rt, obj);
      const meta = metaOf(body);
      return ops.update(rt, meta.namespace, String(meta.name), body, "status").object;
    },
    patch(resource, name, patch, opts = {}) {
      const rt = resolve(resource);
      return ops.patch(
        rt,
        opts.namespace,
        name,
        opts.type === "json" ? PATCH_JSON : PATCH_MERGE,
        patch,
        opts.subresource,
      ).object;
    },
    delete(resource, name, namespace) {
      return ops.delete(resolve(resource), namespace, name).deleted;
    },
    resourceVersion() {
      return String(ops.storage.currentRevision());
    },
    compactHistory(resourceVersion) {
      ops.storage.compact(resourceVersion === undefined ? undefined : Number(resourceVersion));
    },
    closeWatches: () => hooks.closeWatches(),
    bookmarkNow: () => hooks.bookmarkNow(),
    openWatchCount: () => hooks.openWatchCount(),
    injectConflict(resource, name, opts = {}) {
      const rt = resolve(resource);
      ops.faults.add({
        verb: ["update", "patch"],
        resource: typeKey(rt),
        name,
        namespace: opts.namespace,
        times: opts.times ?? 1,
      });
    },
    injectFault(spec) {
      const rt = resolve(spec.resource);
      ops.faults.add({ ...spec, resource: typeKey(rt) });
    },
    clearFaults: () => ops.faults.clear(),
    onChange: (listener) => ops.storage.subscribe(listener),
    resourceType: resolve,
  };
  return admin;
}
