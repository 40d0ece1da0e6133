import { isObject } from "./json";
import { metaOf } from "./object-meta";
import type { ApiOperations } from "./operations";
import { typeKey } from "./resource-type";
import type { StoredEvent } from "./storage";

/**
 * kube-controller-manager's garbage collector, for what the project relies on: when an object is deleted, every object
 * whose `metadata.ownerReferences` names its uid is deleted too, in the background (the default propagation policy
 * of a DELETE: kubernetes.io/docs/concepts/architecture/garbage-collection/#background-deletion). Dependents of a
 * cluster-scoped owner may be cluster-scoped or namespaced; those of a namespaced owner live in its namespace. Only
 * the owner's uid counts (an owner re-created under the same name is another owner), and the deletion carries a uid
 * precondition so a dependent re-created meanwhile survives. Runs after the change that caused it, as the real
 * collector works from its graph's event queue. Returns the unsubscribe function.
 */
export function startGarbageCollector(ops: ApiOperations): () => void {
  const collect = (ownerUid: string, ownerNamespace: string | undefined) =>
    setImmediate(() => {
      for (const rt of ops.registry.all()) {
        for (const { object } of ops.storage.list(typeKey(rt))) {
          const meta = metaOf(object);
          const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
          if (!refs.some((r) => isObject(r) && r.uid === ownerUid)) continue;
          if (ownerNamespace !== undefined && meta.namespace !== ownerNamespace) continue;
          try {
            ops.delete(rt, meta.namespace, String(meta.name), { preconditions: { uid: String(meta.uid) } });
          } catch {
            // Already gone, or re-created with another uid: nothing to collect.
          }
        }
      }
    });
  return ops.storage.subscribe((ev: StoredEvent) => {
    if (ev.type !== "DELETED") return;
    const meta = metaOf(ev.object);
    if (meta.uid) collect(String(meta.uid), meta.namespace);
  });
}
