import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import type { IpamRecord, IpamRecords, IpamRecordStatus, RecordOwner } from "../../ports/kube";
import { FIELD_MANAGER } from "./cilium-nodes";
import { isConflict, isNotFound, toKubeError } from "./errors";
import {
  CONTENDERS_ANNOTATION,
  INSTANCE_LABEL,
  IPAM_RECORDS,
  IPAM_RECORD_KIND,
  instanceLabelValue,
  ipamRecordStatusJson,
  newIpamRecordObject,
  nodeOwnerReference,
  toIpamRecord,
} from "./ipam-record-mapping";

/**
 * JSON Patch (RFC 6902) is client-node's default patch type, named here anyway so the intent is visible. `add` on
 * `/spec` or `/status` replaces the member whole, which is what "replace its status, last writer wins" means
 * without a read: no stale key of a nested map (firstSeenExcess) can survive, as it could with a merge patch.
 */
const JSON_PATCH = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** IpamRecords over the project's cluster-scoped OciIpamNode resource (ocipam.io/v1alpha1 ociipamnodes). */
export class IpamRecordsAdapter implements IpamRecords {
  constructor(
    private readonly api: CustomObjectsApi,
    private readonly options: { fieldManager?: string } = {},
  ) {}

  private get fieldManager(): string {
    return this.options.fieldManager ?? FIELD_MANAGER;
  }

  async get(name: string): Promise<IpamRecord | undefined> {
    try {
      return toIpamRecord(await this.api.getClusterCustomObject({ ...IPAM_RECORDS, name }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toKubeError(`get ${IPAM_RECORD_KIND} ${name}`, err);
    }
  }

  /**
   * Sets the spec (a no-op when unchanged; creates the object when it does not exist), then replaces the status
   * through /status. Two writes: the status subresource ignores spec, and a create ignores status.
   */
  async save(name: string, instanceId: string, status: IpamRecordStatus, owner?: RecordOwner): Promise<void> {
    await this.ensureSpec(name, instanceId, owner);
    const operation = `write ${IPAM_RECORD_KIND} ${name} status`;
    try {
      await this.api.patchClusterCustomObjectStatus(
        {
          ...IPAM_RECORDS,
          name,
          body: [{ op: "add", path: "/status", value: ipamRecordStatusJson(status) }],
          fieldManager: this.fieldManager,
        },
        JSON_PATCH,
      );
    } catch (err) {
      throw toKubeError(operation, err);
    }
  }

  private async ensureSpec(name: string, instanceId: string, owner?: RecordOwner): Promise<void> {
    const operation = `write ${IPAM_RECORD_KIND} ${name} spec`;
    // The instance label and the owner follow the spec: a node name reused by a new instance, or a Node re-created
    // under the same name (a new uid), moves both. JSON Pointer escapes "/" in the label key as "~1" (RFC 6901).
    const body: Array<Record<string, unknown>> = [
      { op: "add", path: "/spec", value: { instanceId, nodeName: name } },
      {
        op: "add",
        path: `/metadata/labels/${INSTANCE_LABEL.replace("/", "~1")}`,
        value: instanceLabelValue(instanceId),
      },
      ...(owner ? [{ op: "add", path: "/metadata/ownerReferences", value: [nodeOwnerReference(owner)] }] : []),
    ];
    const patchSpec = () =>
      this.api.patchClusterCustomObject({ ...IPAM_RECORDS, name, body, fieldManager: this.fieldManager }, JSON_PATCH);
    try {
      await patchSpec();
      return;
    } catch (err) {
      if (!isNotFound(err)) throw toKubeError(operation, err);
    }
    try {
      await this.api.createClusterCustomObject({
        ...IPAM_RECORDS,
        body: newIpamRecordObject(name, instanceId, owner),
        fieldManager: this.fieldManager,
      });
      return;
    } catch (err) {
      if (!isConflict(err)) throw toKubeError(operation, err);
    }
    // Created concurrently by another invocation: make sure the spec names our instance.
    try {
      await patchSpec();
    } catch (err) {
      throw toKubeError(operation, err);
    }
  }

  async findByInstance(instanceId: string): Promise<IpamRecord[]> {
    const labelSelector = `${INSTANCE_LABEL}=${instanceLabelValue(instanceId)}`;
    try {
      const list = (await this.api.listClusterCustomObject({ ...IPAM_RECORDS, labelSelector })) as {
        items?: unknown[];
      };
      // A digest prefix could in principle collide: the spec is the authority.
      return (list.items ?? []).map(toIpamRecord).filter((r) => r.instanceId === instanceId);
    } catch (err) {
      throw toKubeError(`list ${IPAM_RECORD_KIND} of instance ${instanceId}`, err);
    }
  }

  async addContender(name: string, contender: string): Promise<void> {
    const current = await this.get(name);
    if (!current || current.contenders.includes(contender)) return;
    await this.writeContenders(name, [...current.contenders, contender].sort(), current.resourceVersion);
  }

  async clearContenders(name: string): Promise<void> {
    await this.writeContenders(name, []);
  }

  /** A merge patch of the one annotation, guarded by resourceVersion when given (a concurrent add is not lost). */
  private async writeContenders(name: string, contenders: string[], resourceVersion?: string): Promise<void> {
    const metadata: Record<string, unknown> = {
      annotations: { [CONTENDERS_ANNOTATION]: contenders.length > 0 ? contenders.join(",") : null },
    };
    if (resourceVersion) metadata.resourceVersion = resourceVersion;
    try {
      await this.api.patchClusterCustomObject(
        { ...IPAM_RECORDS, name, body: { metadata }, fieldManager: this.fieldManager },
        MERGE_PATCH,
      );
    } catch (err) {
      if (isNotFound(err)) return;
      throw toKubeError(`write ${IPAM_RECORD_KIND} ${name} contenders`, err);
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.api.deleteClusterCustomObject({ ...IPAM_RECORDS, name });
    } catch (err) {
      if (isNotFound(err)) return;
      throw toKubeError(`delete ${IPAM_RECORD_KIND} ${name}`, err);
    }
  }
}
