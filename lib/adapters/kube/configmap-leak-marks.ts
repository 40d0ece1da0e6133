import type { CoreV1Api, V1ConfigMap } from "@kubernetes/client-node";
import { isNotFound, toKubeError } from "./errors";
import { FIELD_MANAGER } from "./cilium-nodes";
import type { LeakMark, LeakMarkStore, StoredMarks } from "../../collect/ports";

/**
 * The ConfigMap holding the collector's marks, in the allocator's namespace (RBAC: this name only, see allocator.yaml).
 */
export const LEAK_MARKS_CONFIGMAP = "ocipam-leak-marks";
const DATA_KEY = "marks.json";

/**
 * The collector's marks in one ConfigMap (`ocipam-leak-marks` in ocipam-system, key `marks.json`): a JSON map from
 * object OCID to mark. A ConfigMap holds at most 1 MiB (Kubernetes documentation, ConfigMaps: "The data stored in a
 * ConfigMap cannot exceed 1 MiB"), about 5000 marks of ~200 bytes; the collector keeps fewer (collect-leaks.ts).
 * Writes are guarded: create when none exists (409 if another run created it first), else replace at the
 * resourceVersion read, so two runs can never both save.
 */
export class ConfigMapLeakMarks implements LeakMarkStore {
  constructor(
    private readonly core: CoreV1Api,
    private readonly namespace: string,
    private readonly name: string = LEAK_MARKS_CONFIGMAP,
  ) {}

  async load(): Promise<StoredMarks> {
    let cm: V1ConfigMap;
    try {
      cm = await this.core.readNamespacedConfigMap({ name: this.name, namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return { marks: {} };
      throw toKubeError(`get ConfigMap ${this.namespace}/${this.name}`, err);
    }
    return {
      marks: parseMarks(cm.data?.[DATA_KEY]),
      ...(cm.metadata?.resourceVersion ? { version: cm.metadata.resourceVersion } : {}),
    };
  }

  async save(marks: Record<string, LeakMark>, version: string | undefined): Promise<void> {
    const body: V1ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { "app.kubernetes.io/managed-by": "ocipam" },
        ...(version ? { resourceVersion: version } : {}),
      },
      data: { [DATA_KEY]: JSON.stringify(marks) },
    };
    const operation = `write ConfigMap ${this.namespace}/${this.name}`;
    try {
      if (version === undefined)
        await this.core.createNamespacedConfigMap({ namespace: this.namespace, body, fieldManager: FIELD_MANAGER });
      else
        await this.core.replaceNamespacedConfigMap({
          name: this.name,
          namespace: this.namespace,
          body,
          fieldManager: FIELD_MANAGER,
        });
    } catch (err) {
      throw toKubeError(operation, err);
    }
  }
}

/**
 * Tolerant read: an unreadable or foreign value yields no marks (the collector then only marks again, never deletes).
 */
export function parseMarks(raw: string | undefined): Record<string, LeakMark> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  const out: Record<string, LeakMark> = {};
  for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
    const m = value as Partial<LeakMark> | null;
    if (
      !m ||
      (m.kind !== "privateIp" && m.kind !== "vnic") ||
      typeof m.firstSeen !== "string" ||
      Number.isNaN(Date.parse(m.firstSeen))
    )
      continue;
    out[id] = {
      kind: m.kind,
      firstSeen: m.firstSeen,
      reason: typeof m.reason === "string" ? m.reason : "",
      ...(typeof m.ipAddress === "string" ? { ipAddress: m.ipAddress } : {}),
      ...(typeof m.node === "string" ? { node: m.node } : {}),
      ...(typeof m.instanceId === "string" ? { instanceId: m.instanceId } : {}),
    };
  }
  return out;
}
