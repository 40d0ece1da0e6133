import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import type { IpamRecord, IpamRecords, IpamRecordStatus } from "../../ports/kube";
import { FIELD_MANAGER } from "./cilium-nodes";
import { isConflict, isNotFound, toKubeError } from "./errors";
import { IPAM_RECORDS, IPAM_RECORD_KIND, ipamRecordStatusJson, newIpamRecordObject, toIpamRecord } from "./ipam-record-mapping";

/**
 * JSON Patch (RFC 6902) is client-node's default patch type, named here anyway so the intent is visible. `add` on
 * `/spec` or `/status` replaces the member whole, which is what "replace its status, last writer wins" means
 * without a read: no stale key of a nested map (firstSeenExcess) can survive, as it could with a merge patch.
 */
const JSON_PATCH = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

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
  async save(name: string, instanceId: string, status: IpamRecordStatus): Promise<void> {
    await this.ensureSpec(name, instanceId);
    const operation = `write ${IPAM_RECORD_KIND} ${name} status`;
    try {
      await this.api.patchClusterCustomObjectStatus(
        { ...IPAM_RECORDS, name, body: [{ op: "add", path: "/status", value: ipamRecordStatusJson(status) }], fieldManager: this.fieldManager },
        JSON_PATCH,
      );
    } catch (err) {
      throw toKubeError(operation, err);
    }
  }

  private async ensureSpec(name: string, instanceId: string): Promise<void> {
    const operation = `write ${IPAM_RECORD_KIND} ${name} spec`;
    const patchSpec = () =>
      this.api.patchClusterCustomObject(
        { ...IPAM_RECORDS, name, body: [{ op: "add", path: "/spec", value: { instanceId, nodeName: name } }], fieldManager: this.fieldManager },
        JSON_PATCH,
      );
    try {
      await patchSpec();
      return;
    } catch (err) {
      if (!isNotFound(err)) throw toKubeError(operation, err);
    }
    try {
      await this.api.createClusterCustomObject({ ...IPAM_RECORDS, body: newIpamRecordObject(name, instanceId), fieldManager: this.fieldManager });
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

  async remove(name: string): Promise<void> {
    try {
      await this.api.deleteClusterCustomObject({ ...IPAM_RECORDS, name });
    } catch (err) {
      if (isNotFound(err)) return;
      throw toKubeError(`delete ${IPAM_RECORD_KIND} ${name}`, err);
    }
  }
}
