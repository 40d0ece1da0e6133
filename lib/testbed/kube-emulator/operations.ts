import { clone, deepEqual, isObject, type JsonObject } from "./json";
import { decodeContinue, encodeContinue } from "./continue-token";
import { FaultInjector } from "./faults";
import { generateName, metaOf, newUid, nowTimestamp, validateName, validateStringMaps } from "./object-meta";
import { PatchApplyError, PatchDecodeError, applyJsonPatch, decodeJsonPatch, mergePatch } from "./patch";
import {
  PATCH_APPLY,
  PATCH_JSON,
  PATCH_MERGE,
  PATCH_STRATEGIC,
  groupResource,
  groupVersion,
  typeKey,
  type ResourceRegistry,
  type ResourceType,
} from "./resource-type";
import { applyDefaults, pruneCustomResource, pruneNonNullableNulls, pruneObjectMeta } from "./schema/prune";
import { validateAgainstSchema } from "./schema/validate";
import {
  SelectorSyntaxError,
  parseFieldSelector,
  parseLabelSelector,
  type FieldSelector,
  type LabelSelector,
} from "./selectors";
import {
  GoHexUint,
  KubeStatusError,
  failure,
  fieldErrors,
  statusErrors,
  success,
  type FieldError,
  type StatusBody,
} from "./status";
import { objectKey, type Storage, type StoredEvent, type WatchEventType } from "./storage";

/**
 * The REST semantics of kube-apiserver's generic registry (k8s.io/apiserver pkg/registry/generic/registry/store.go
 * and pkg/registry/rest create.go / update.go / delete.go) and of the custom resource strategy
 * (apiextensions-apiserver pkg/registry/customresource/strategy.go and status_strategy.go), applied to the
 * emulator's storage. Both the HTTP layer and the in-process admin API call these methods; authentication and
 * authorization happen before, in the HTTP layer.
 */

export interface WriteOptions {
  /** dryRun=All: validate and answer as if written, without storing. */
  dryRun?: boolean;
  /** fieldValidation: Ignore, Warn (the server default) or Strict. */
  fieldValidation?: string;
  /**
   * Keep `status` on create even where the real strategy resets it (custom resources with a status subresource,
   * Pods). Only the in-process admin API sets it, to seed fixtures that stand for kubelet or agent writes.
   */
  keepStatus?: boolean;
}

export interface WriteResult {
  object: JsonObject;
  /** Warning header texts (e.g. `unknown field "spec.foo"`). */
  warnings: string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: JsonObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  /** What the response body is: the object (pending finalizers, or kinds that return it) or a Success Status. */
  body: JsonObject | StatusBody;
  /** False when the object stays (finalizers pending) with a deletionTimestamp. */
  deleted: boolean;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  sendInitialEvents?: boolean;
  allowWatchBookmarks?: boolean;
}

/** Receives watch events; `error` is the last call (the stream then ends). */
export interface WatchSink {
  /** Called for each event, synchronously with the write that caused it; must not throw. */
  event(type: WatchEventType | "BOOKMARK", object: JsonObject): void;
  /** Called once when the watch cannot continue (410 Expired, 504); the caller then ends the stream. */
  error(status: StatusBody): void;
}

export interface WatchHandle {
  /** Sends a BOOKMARK with the current resourceVersion (when the client allowed bookmarks). */
  bookmark(): void;
  /** Stops delivering events; called when the client disconnects or the stream is closed. Idempotent. */
  stop(): void;
}

const CRD_KEY = "customresourcedefinitions.apiextensions.k8s.io";
const NAMESPACE_KEY = "namespaces";

/** Hooks the emulator wires in: CRD (un)registration, ServiceAccount tokens. */
export interface OperationHooks {
  /** Called after a CustomResourceDefinition is stored or deleted (deleted: obj is its last state). */
  crdChanged?(crd: JsonObject, deleted: boolean): void;
}

export class ApiOperations {
  readonly faults = new FaultInjector();

  constructor(
    readonly storage: Storage,
    readonly registry: ResourceRegistry,
    private readonly hooks: OperationHooks = {},
  ) {}

  // ---------------------------------------------------------------- reads

  /** GET of one object; 404 NotFound (errors.NewNotFound) when absent. */
  get(rt: ResourceType, namespace: string | undefined, name: string, version = rt.versions[0]): JsonObject {
    this.faults.check("get", typeKey(rt), groupResource(rt), name, namespace);
    const obj = this.storage.get(typeKey(rt), objectKey(rt.namespaced ? namespace : undefined, name));
    if (!obj) throw statusErrors.notFound(groupResource(rt), name);
    return this.asVersion(obj, rt, version);
  }

  /**
   * LIST with selectors and paging. A continue token reads the snapshot it was issued at (410 Expired with an
   * inconsistent-continue token when that snapshot was compacted, as etcd3's store answers).
   */
  list(rt: ResourceType, namespace: string | undefined, opts: ListOptions = {}, version = rt.versions[0]): ListResult {
    this.faults.check("list", typeKey(rt), groupResource(rt), "", namespace);
    const labels = this.parseLabels(opts.labelSelector);
    const fields = this.parseFields(rt, opts.fieldSelector);
    const current = this.storage.currentRevision();
    const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : undefined;

    let snapshotRv = current;
    let startKey: string | undefined;
    let entries: Array<{ key: string; object: JsonObject }>;
    if (opts.continue) {
      const pos = decodeContinue(opts.continue);
      startKey = pos.start;
      if (pos.rv === -1 || pos.rv >= this.storage.compactedRevision()) {
        snapshotRv = pos.rv === -1 ? current : pos.rv;
        entries = this.storage.listAt(typeKey(rt), snapshotRv, "");
      } else {
        // etcd3 store (errors.go inconsistentContinue): the snapshot is gone; hand back a token that continues
        // from the same key against the current state.
        const token = encodeContinue({ rv: -1, start: pos.start });
        throw statusErrors.expired(
          "The provided continue parameter is too old to display a consistent " +
            "list result. You can start a new list without the continue parameter, " +
            "or use the continue token in this response to retrieve the remainder " +
            "of the results. Continuing with the provided token results in an " +
            "inconsistent list - objects that were created, modified, or deleted " +
            "between the time the first chunk was returned and now may show up in " +
            "the list.",
          token,
        );
      }
    } else {
      const requested = this.parseResourceVersion(opts.resourceVersion);
      if (requested !== undefined && requested > current)
        throw statusErrors.tooLargeResourceVersion(requested, current);
      if (opts.resourceVersionMatch === "Exact" && requested !== undefined && requested > 0) {
        snapshotRv = requested;
        entries = this.storage.listAt(typeKey(rt), requested, "The resourceVersion for the provided list is too old.");
      } else {
        entries = this.storage.list(typeKey(rt));
      }
    }

    const matching = entries.filter(
      (e) => (startKey === undefined || e.key >= startKey) && this.matches(rt, e.object, namespace, labels, fields),
    );
    let page = matching;
    let next: string | undefined;
    let remaining: number | undefined;
    if (limit !== undefined && matching.length > limit) {
      page = matching.slice(0, limit);
      next = encodeContinue({ rv: snapshotRv, start: matching[limit].key });
      // etcd3 reports the remaining count only when no selector filters the range.
      if (labels.empty && fields.requirements.length === 0) remaining = matching.length - limit;
    }
    return {
      items: page.map((e) => this.asVersion(e.object, rt, version)),
      resourceVersion: String(snapshotRv),
      ...(next ? { continue: next } : {}),
      ...(remaining !== undefined ? { remainingItemCount: remaining } : {}),
    };
  }

  // ---------------------------------------------------------------- writes

  /** POST: create (rest.BeforeCreate + strategy + AlreadyExists). */
  create(rt: ResourceType, namespace: string | undefined, body: unknown, opts: WriteOptions = {}): WriteResult {
    const obj = this.decodeBody(rt, body);
    const meta = metaOf(obj);
    const warnings: string[] = [];
    this.checkNamespace(rt, namespace, meta.namespace, "create");
    if (rt.namespaced) meta.namespace = namespace;
    else delete meta.namespace;

    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    if (!meta.name) {
      throw statusErrors.invalid({ group: rt.group, kind: rt.kind }, "", [
        fieldErrors.required("metadata.name", "name or generateName is required"),
      ]);
    }
    const name = meta.name;
    this.faults.check("create", typeKey(rt), groupResource(rt), name, namespace);
    if (meta.resourceVersion)
      throw statusErrors.badRequest("resourceVersion should not be set on objects to be created");
    if (rt.namespaced && rt.plural !== "namespaces" && !this.storage.get(NAMESPACE_KEY, String(namespace))) {
      throw statusErrors.notFound({ group: "", resource: "namespaces" }, String(namespace));
    }

    // rest.BeforeCreate: system fields are the server's.
    meta.uid = newUid();
    meta.creationTimestamp = nowTimestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.generation;
    if (rt.custom) meta.generation = 1;
    if (!opts.keepStatus && !rt.keepStatusOnCreate && rt.statusSubresource) delete obj.status;
    rt.prepareForCreate?.(obj);

    warnings.push(...this.pruneAndDefault(rt, obj, opts));
    const errs = [...validateName(name, rt.nameRule), ...validateStringMaps(meta), ...this.validateSchema(rt, obj)];
    if (errs.length > 0) throw statusErrors.invalid({ group: rt.group, kind: rt.kind }, name, errs);

    const key = objectKey(rt.namespaced ? namespace : undefined, name);
    if (this.storage.get(typeKey(rt), key)) throw statusErrors.alreadyExists(groupResource(rt), name);
    if (opts.dryRun) return { object: this.asVersion({ ...obj, metadata: { ...meta } }, rt), warnings };
    const stored = this.storage.commit("ADDED", typeKey(rt), key, obj);
    if (typeKey(rt) === CRD_KEY) this.hooks.crdChanged?.(stored, false);
    return { object: this.asVersion(stored, rt), warnings };
  }

  /** PUT of the resource or of its status subresource. */
  update(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource?: string,
    opts: WriteOptions = {},
  ): WriteResult {
    const obj = this.decodeBody(rt, body);
    const meta = metaOf(obj);
    this.checkNamespace(rt, namespace, meta.namespace, "update");
    if (meta.name !== undefined && meta.name !== name) {
      throw statusErrors.badRequest(
        `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
      );
    }
    meta.name = name;
    if (rt.namespaced) meta.namespace = namespace;
    this.faults.check("update", typeKey(rt), groupResource(rt), name, namespace);
    const existing = this.storage.get(typeKey(rt), objectKey(rt.namespaced ? namespace : undefined, name));
    // AllowCreateOnUpdate is false for every kind the emulator serves.
    if (!existing) throw statusErrors.notFound(groupResource(rt), name);
    return this.commitUpdate(rt, namespace, name, existing, obj, subresource, opts);
  }

  /**
   * PATCH: applies the patch to the stored object (the whole object, also for /status) and stores the result
   * as an update, so a resourceVersion in a merge patch is an optimistic-lock precondition.
   */
  patch(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    patchBody: unknown,
    subresource?: string,
    opts: WriteOptions = {},
  ): WriteResult {
    const type = contentType.split(";")[0].trim().toLowerCase();
    if (!rt.patchTypes.includes(type)) throw statusErrors.unsupportedMediaType(rt.patchTypes);
    if (type === PATCH_APPLY) {
      throw new KubeStatusError(
        failure(
          415,
          "UnsupportedMediaType",
          "server-side apply (application/apply-patch+yaml) is not modelled by the ocipam Kubernetes emulator",
        ),
      );
    }
    this.faults.check("patch", typeKey(rt), groupResource(rt), name, namespace);
    const existing = this.storage.get(typeKey(rt), objectKey(rt.namespaced ? namespace : undefined, name));
    if (!existing) throw statusErrors.notFound(groupResource(rt), name);
    const current = this.asVersion(existing, rt);
    let patched: unknown;
    if (type === PATCH_JSON) {
      let ops: ReturnType<typeof decodeJsonPatch>;
      try {
        ops = decodeJsonPatch(patchBody);
      } catch (err) {
        if (err instanceof PatchDecodeError) throw statusErrors.badRequest(err.message);
        throw err;
      }
      try {
        patched = applyJsonPatch(current, ops);
      } catch (err) {
        if (err instanceof PatchApplyError) throw statusErrors.generic(422);
        throw err;
      }
    } else if (type === PATCH_MERGE || type === PATCH_STRATEGIC) {
      // Strategic merge on built-ins is applied as a JSON merge patch (list merge keys are not modelled).
      if (!isObject(patchBody))
        throw statusErrors.badRequest(
          "json: cannot unmarshal non-object into Go value of type map[string]interface {}",
        );
      patched = mergePatch(current, patchBody);
    } else {
      throw statusErrors.unsupportedMediaType(rt.patchTypes);
    }
    if (!isObject(patched)) throw statusErrors.generic(422);
    const pmeta = metaOf(patched);
    if (pmeta.name !== name)
      throw statusErrors.badRequest(
        `the name of the object (${String(pmeta.name)}) does not match the name on the URL (${name})`,
      );
    return this.commitUpdate(rt, namespace, name, existing, patched, subresource, opts);
  }

  /** DELETE of one object: preconditions, finalizers (deletionTimestamp), then removal. */
  delete(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): DeleteResult {
    this.faults.check("delete", typeKey(rt), groupResource(rt), name, namespace);
    const key = objectKey(rt.namespaced ? namespace : undefined, name);
    const existing = this.storage.get(typeKey(rt), key);
    if (!existing) throw statusErrors.notFound(groupResource(rt), name);
    const meta = metaOf(existing);
    const pre = opts.preconditions ?? {};
    // etcd3 store checkPreconditions, surfaced as a Conflict by InterpretDeleteError.
    if (pre.uid && pre.uid !== meta.uid) {
      throw statusErrors.conflict(
        groupResource(rt),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw statusErrors.conflict(
        groupResource(rt),
        name,
        `Precondition failed: ResourceVersion in precondition: ` +
          `${pre.resourceVersion}, ResourceVersion in meta: ` +
          `${meta.resourceVersion}`,
      );
    }
    if (opts.dryRun) return { body: this.asVersion(existing, rt), deleted: true };

    if (meta.finalizers && meta.finalizers.length > 0) {
      // rest.BeforeDelete: graceful deletion sets the timestamp once and bumps a tracked generation.
      if (!meta.deletionTimestamp) {
        const updated = clone(existing);
        const umeta = metaOf(updated);
        umeta.deletionTimestamp = nowTimestamp();
        umeta.deletionGracePeriodSeconds = 0;
        if (typeof umeta.generation === "number" && umeta.generation > 0) umeta.generation += 1;
        const stored = this.storage.commit("MODIFIED", typeKey(rt), key, updated, existing);
        return { body: this.asVersion(stored, rt), deleted: false };
      }
      return { body: this.asVersion(existing, rt), deleted: false };
    }
    return this.remove(rt, key, existing);
  }

  /** DELETE on a collection: deletes every matching object, answering the list of deleted objects. */
  deleteCollection(rt: ResourceType, namespace: string | undefined, listOpts: ListOptions): JsonObject[] {
    const { items } = this.list(rt, namespace, {
      labelSelector: listOpts.labelSelector,
      fieldSelector: listOpts.fieldSelector,
    });
    const deleted: JsonObject[] = [];
    for (const item of items) {
      const m = metaOf(item);
      try {
        const res = this.delete(rt, m.namespace, String(m.name));
        deleted.push(isObject(res.body) && res.body.kind !== "Status" ? (res.body as JsonObject) : item);
      } catch (err) {
        if (!(err instanceof KubeStatusError && err.status.code === 404)) throw err;
      }
    }
    return deleted;
  }

  // ---------------------------------------------------------------- watch

  /**
   * Starts a watch. resourceVersion "" or "0" begins with synthetic ADDED events for the current state
   * (cacher semantics); a number streams the changes after it, or a single ERROR event with 410 Expired when
   * it predates the retained history (the cacher returns an errWatcher rather than an HTTP error).
   * sendInitialEvents=true streams the state, then a BOOKMARK annotated "k8s.io/initial-events-end".
   */
  watch(
    rt: ResourceType,
    namespace: string | undefined,
    opts: WatchOptions,
    sink: WatchSink,
    version = rt.versions[0],
  ): WatchHandle {
    this.faults.check("watch", typeKey(rt), groupResource(rt), "", namespace);
    const labels = this.parseLabels(opts.labelSelector);
    const fields = this.parseFields(rt, opts.fieldSelector);
    if (opts.sendInitialEvents !== undefined && !opts.allowWatchBookmarks) {
      throw statusErrors.invalid({ group: "meta.k8s.io", kind: "ListOptions" }, "", [
        fieldErrors.forbidden(
          "allowWatchBookmarks",
          "allowWatchBookmarks must be set to true when sendInitialEvents is set",
        ),
      ]);
    }
    const requested = this.parseResourceVersion(opts.resourceVersion);
    const key = typeKey(rt);
    let stopped = false;
    const bookmarkObject = (annotations?: Record<string, string>): JsonObject => ({
      kind: rt.kind,
      apiVersion: groupVersion(rt, version),
      metadata: { resourceVersion: String(this.storage.currentRevision()), ...(annotations ? { annotations } : {}) },
    });

    const deliver = (ev: StoredEvent): void => {
      if (stopped || ev.typeKey !== key) return;
      const nowMatches = this.matches(rt, ev.object, namespace, labels, fields);
      const before = ev.previous ? this.matches(rt, ev.previous, namespace, labels, fields) : false;
      let type: WatchEventType | undefined;
      if (ev.type === "ADDED") type = nowMatches ? "ADDED" : undefined;
      else if (ev.type === "DELETED") type = before || nowMatches ? "DELETED" : undefined;
      else if (nowMatches && before) type = "MODIFIED";
      else if (nowMatches) type = "ADDED";
      else if (before) type = "DELETED"; // the object left the selection: the cacher sends DELETED
      if (type) sink.event(type, this.asVersion(ev.object, rt, version));
    };

    const startFromState = requested === undefined || requested === 0 || opts.sendInitialEvents === true;
    let backlog: StoredEvent[] = [];
    if (!startFromState) {
      const current = this.storage.currentRevision();
      if ((requested as number) > current) {
        sink.error(statusErrors.tooLargeResourceVersion(requested as number, current).status);
        return { bookmark: () => undefined, stop: () => undefined };
      }
      try {
        backlog = this.storage.eventsSince(requested as number);
      } catch (err) {
        if (err instanceof KubeStatusError) {
          sink.error(err.status);
          return { bookmark: () => undefined, stop: () => undefined };
        }
        throw err;
      }
    }
    // Subscribing and reading the backlog happen in the same tick, so no change can fall in between.
    const unsubscribe = this.storage.subscribe(deliver);
    if (startFromState) {
      for (const e of this.storage.list(key)) {
        if (this.matches(rt, e.object, namespace, labels, fields))
          sink.event("ADDED", this.asVersion(e.object, rt, version));
      }
      if (opts.sendInitialEvents) sink.event("BOOKMARK", bookmarkObject({ "k8s.io/initial-events-end": "true" }));
    } else {
      for (const ev of backlog) deliver(ev);
    }
    return {
      bookmark: () => {
        if (!stopped && opts.allowWatchBookmarks) sink.event("BOOKMARK", bookmarkObject());
      },
      stop: () => {
        stopped = true;
        unsubscribe();
      },
    };
  }

  // ---------------------------------------------------------------- internals

  private commitUpdate(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    existing: JsonObject,
    incoming: JsonObject,
    subresource: string | undefined,
    opts: WriteOptions,
  ): WriteResult {
    const warnings: string[] = [];
    const oldMeta = metaOf(existing);
    const inMeta = metaOf(incoming);
    const gr = groupResource(rt);

    // store.go Update: the precondition is the resourceVersion the client sent.
    const sentRv = inMeta.resourceVersion;
    if (!sentRv) {
      if (!rt.allowUnconditionalUpdate) {
        throw statusErrors.invalid({ group: rt.group, kind: rt.plural }, name, [
          fieldErrors.invalid("metadata.resourceVersion", new GoHexUint(0), "must be specified for an update"),
        ]);
      }
    } else {
      if (!/^\d+$/.test(String(sentRv))) {
        throw statusErrors.invalid({ group: rt.group, kind: rt.kind }, name, [
          fieldErrors.invalid("metadata.resourceVersion", sentRv, "must be a number"),
        ]);
      }
      if (String(sentRv) !== oldMeta.resourceVersion) throw statusErrors.conflict(gr, name);
    }

    let updated: JsonObject;
    if (subresource === "status") {
      // status_strategy.go PrepareForUpdate: only status comes from the request.
      updated = clone(existing);
      if (incoming.status !== undefined) updated.status = incoming.status;
      else delete updated.status;
    } else {
      updated = incoming;
      if (rt.statusSubresource) {
        if (existing.status !== undefined) updated.status = clone(existing.status);
        else delete updated.status;
      }
      const meta = metaOf(updated);
      // rest.BeforeUpdate: generation, creationTimestamp, deletion fields and uid are not the client's.
      if (meta.uid && meta.uid !== oldMeta.uid) {
        throw statusErrors.invalid({ group: rt.group, kind: rt.kind }, name, [
          fieldErrors.invalid("metadata.uid", meta.uid, "field is immutable"),
        ]);
      }
      meta.uid = oldMeta.uid;
      meta.creationTimestamp = oldMeta.creationTimestamp;
      if (oldMeta.deletionTimestamp) {
        meta.deletionTimestamp = oldMeta.deletionTimestamp;
        meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      } else {
        delete meta.deletionTimestamp;
        delete meta.deletionGracePeriodSeconds;
      }
      if (oldMeta.generation !== undefined) meta.generation = oldMeta.generation;
      else delete meta.generation;
      if (oldMeta.deletionTimestamp) {
        const added = (meta.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
        if (added.length > 0) {
          throw statusErrors.invalid({ group: rt.group, kind: rt.kind }, name, [
            fieldErrors.forbidden(
              "metadata.finalizers",
              `no new finalizers can be added if the object is being deleted, found ` +
                `new finalizers ` +
                `[]string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
            ),
          ]);
        }
      }
    }
    const meta = metaOf(updated);
    meta.resourceVersion = oldMeta.resourceVersion;
    if (rt.namespaced) meta.namespace = namespace;
    meta.name = name;
    updated.apiVersion = groupVersion(rt);
    updated.kind = rt.kind;

    warnings.push(...this.pruneAndDefault(rt, updated, opts));
    // customResourceStrategy.PrepareForUpdate: anything outside metadata changed → generation + 1.
    if (rt.custom && subresource !== "status") {
      const strip = (o: JsonObject): JsonObject =>
        Object.fromEntries(Object.entries(o).filter(([k]) => k !== "metadata"));
      if (!deepEqual(strip(updated), strip(existing))) meta.generation = (oldMeta.generation ?? 0) + 1;
    }
    const errs =
      subresource === "status"
        ? this.validateSchema(rt, updated, "status")
        : [...validateStringMaps(meta), ...this.validateSchema(rt, updated)];
    if (errs.length > 0) throw statusErrors.invalid({ group: rt.group, kind: rt.kind }, name, errs);

    const key = objectKey(rt.namespaced ? namespace : undefined, name);
    // GuaranteedUpdate: an update that changes nothing is not written (no new resourceVersion, no event).
    if (deepEqual(updated, existing)) return { object: this.asVersion(existing, rt), warnings };
    if (opts.dryRun) return { object: this.asVersion(updated, rt), warnings };
    if (meta.deletionTimestamp && (!meta.finalizers || meta.finalizers.length === 0)) {
      // The last finalizer is gone: the object is deleted now.
      const res = this.remove(rt, key, existing, updated);
      return { object: isObject(res.body) ? (res.body as JsonObject) : updated, warnings };
    }
    const stored = this.storage.commit("MODIFIED", typeKey(rt), key, updated, existing);
    if (typeKey(rt) === CRD_KEY) this.hooks.crdChanged?.(stored, false);
    return { object: this.asVersion(stored, rt), warnings };
  }

  private remove(rt: ResourceType, key: string, existing: JsonObject, last: JsonObject = existing): DeleteResult {
    const meta = metaOf(existing);
    if (typeKey(rt) === NAMESPACE_KEY) this.deleteNamespaceContent(String(meta.name));
    if (typeKey(rt) === CRD_KEY) this.deleteCustomResources(existing);
    const stored = this.storage.commit("DELETED", typeKey(rt), key, last, existing);
    if (typeKey(rt) === CRD_KEY) this.hooks.crdChanged?.(stored, true);
    if (rt.returnDeletedObject) return { body: this.asVersion(stored, rt), deleted: true };
    // registry/store.go finalizeDelete: a Success Status naming the deleted object (Kind holds the resource).
    return {
      body: success({ name: String(meta.name), group: rt.group, kind: rt.plural, uid: meta.uid }),
      deleted: true,
    };
  }

  /** The namespace controller's job, done at once: every namespaced object in it is deleted. */
  private deleteNamespaceContent(ns: string): void {
    for (const rt of this.registry.all()) {
      if (!rt.namespaced) continue;
      for (const e of this.storage.list(typeKey(rt))) {
        if (metaOf(e.object).namespace === ns) this.storage.commit("DELETED", typeKey(rt), e.key, e.object, e.object);
      }
    }
  }

  /** The CRD finalizer's job, done at once: every custom resource of the CRD is deleted. */
  private deleteCustomResources(crd: JsonObject): void {
    const spec = crd.spec as { group?: string; names?: { plural?: string } } | undefined;
    const key = spec?.names?.plural && spec.group ? `${spec.names.plural}.${spec.group}` : undefined;
    if (!key) return;
    for (const e of this.storage.list(key)) this.storage.commit("DELETED", key, e.key, e.object, e.object);
  }

  /** Body → object of this kind: apiVersion/kind defaulted, a different kind rejected (400). */
  private decodeBody(rt: ResourceType, body: unknown): JsonObject {
    if (!isObject(body)) throw statusErrors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
    const obj = clone(body);
    const expected = groupVersion(rt);
    if (obj.apiVersion !== undefined && !rt.versions.some((v) => groupVersion(rt, v) === obj.apiVersion)) {
      throw statusErrors.badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`,
      );
    }
    if (obj.kind !== undefined && obj.kind !== rt.kind) {
      throw statusErrors.badRequest(
        `the kind in the data (${String(obj.kind)}) does not match the expected kind (${rt.kind})`,
      );
    }
    obj.apiVersion = expected;
    obj.kind = rt.kind;
    return obj;
  }

  private checkNamespace(
    rt: ResourceType,
    urlNamespace: string | undefined,
    bodyNamespace: string | undefined,
    verb: string,
  ): void {
    if (!rt.namespaced) return;
    if (!urlNamespace)
      throw statusErrors.badRequest(`the server could not find the requested resource (${verb} ${rt.plural})`);
    if (bodyNamespace && bodyNamespace !== urlNamespace) {
      throw statusErrors.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
  }

  /** Decoding-time cleanup: unknown fields pruned (reported per fieldValidation), nulls dropped, defaults set. */
  private pruneAndDefault(rt: ResourceType, obj: JsonObject, opts: WriteOptions): string[] {
    const schema = rt.schemas?.[rt.versions[0]];
    const pruned = rt.custom ? pruneCustomResource(obj, schema) : pruneObjectMeta(obj);
    if (rt.custom && schema) {
      pruneNonNullableNulls(obj, schema);
      applyDefaults(obj, schema);
    }
    const mode = opts.fieldValidation ?? "Warn";
    if (pruned.length > 0 && mode === "Strict") {
      throw statusErrors.badRequest(`strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(", ")}`);
    }
    return mode === "Ignore" ? [] : pruned.map((p) => `unknown field "${p}"`);
  }

  private validateSchema(rt: ResourceType, obj: JsonObject, only?: "status"): FieldError[] {
    const schema = rt.custom ? rt.schemas?.[rt.versions[0]] : undefined;
    if (!schema) return [];
    if (only === "status") {
      const statusSchema = schema.properties?.status;
      if (!statusSchema || obj.status === undefined) return [];
      return validateAgainstSchema(obj.status, statusSchema).map((e) => ({
        ...e,
        field: e.field ? `status.${e.field}` : "status",
      }));
    }
    return validateAgainstSchema(obj, schema);
  }

  private parseLabels(text: string | undefined): LabelSelector {
    try {
      return parseLabelSelector(text);
    } catch (err) {
      if (err instanceof SelectorSyntaxError) throw statusErrors.badRequest(err.message);
      throw err;
    }
  }

  private parseFields(rt: ResourceType, text: string | undefined): FieldSelector {
    let sel: FieldSelector;
    try {
      sel = parseFieldSelector(text);
    } catch (err) {
      if (err instanceof SelectorSyntaxError) throw statusErrors.badRequest(err.message);
      throw err;
    }
    for (const r of sel.requirements) {
      const known =
        r.field === "metadata.name" || (r.field === "metadata.namespace" && rt.namespaced) || r.field in rt.fieldLabels;
      if (!known) throw statusErrors.badRequest(`field label not supported: ${r.field}`);
    }
    return sel;
  }

  private parseResourceVersion(rv: string | undefined): number | undefined {
    if (rv === undefined || rv === "") return undefined;
    if (!/^\d+$/.test(rv))
      throw statusErrors.badRequest(
        `invalid resource version "${rv}": strconv.ParseUint: parsing "${rv}": invalid syntax`,
      );
    return Number(rv);
  }

  private matches(
    rt: ResourceType,
    obj: JsonObject,
    namespace: string | undefined,
    labels: LabelSelector,
    fields: FieldSelector,
  ): boolean {
    const meta = metaOf(obj);
    if (rt.namespaced && namespace && meta.namespace !== namespace) return false;
    if (!labels.matches(meta.labels)) return false;
    return fields.requirements.every((r) => {
      let value: string | undefined;
      if (r.field === "metadata.name") value = meta.name;
      else if (r.field === "metadata.namespace") value = meta.namespace;
      else value = rt.fieldLabels[r.field]?.(obj);
      const v = value ?? "";
      return r.op === "=" ? v === r.value : v !== r.value;
    });
  }

  /** The object as served at `version` (all served versions share one stored form: conversion "None"). */
  private asVersion(obj: JsonObject, rt: ResourceType, version = rt.versions[0]): JsonObject {
    const out = clone(obj);
    out.apiVersion = groupVersion(rt, version);
    out.kind = rt.kind;
    return out;
  }
}
