import type {
  ClusterInventory,
  LeakMark,
  LeakMarkStore,
  NodeEntry,
  RecordEntry,
  StoredMarks,
} from "../../lib/collect/ports";
import { instanceIdFromProviderId } from "../../lib/core/provider-id";
import { KubeConflictError } from "../../lib/ports/kube-errors";
import type { FakeKubeNodes } from "./fake-kube-nodes";
import type { FakeRecords } from "./fake-records";
import type { Faults } from "./faults";

/** The collector's lists over the same fake Nodes and records the reconcile uses. */
export class FakeInventory implements ClusterInventory {
  constructor(
    private readonly nodes: FakeKubeNodes,
    private readonly records: FakeRecords,
    private readonly faults: Faults,
  ) {}

  async listNodes(): Promise<NodeEntry[]> {
    this.faults.check("kube", "listNodes", []);
    return [...this.nodes.nodes.values()].map((n) => {
      const instanceId = instanceIdFromProviderId(n.providerId);
      return { name: n.name, ...(instanceId ? { instanceId } : {}) };
    });
  }

  async listRecords(): Promise<RecordEntry[]> {
    this.faults.check("kube", "listRecords", []);
    return [...this.records.records.values()].map((r) => ({ name: r.name, instanceId: r.instanceId }));
  }
}

/** The leak marks ConfigMap: replaced only at the version it was read at (create when nothing is stored). */
export class FakeLeakMarks implements LeakMarkStore {
  stored: StoredMarks = { marks: {} };
  private rv = 0;

  constructor(private readonly faults: Faults) {}

  async load(): Promise<StoredMarks> {
    this.faults.check("kube", "loadMarks", []);
    return structuredClone(this.stored);
  }

  async save(marks: Record<string, LeakMark>, version: string | undefined): Promise<void> {
    this.faults.check("kube", "saveMarks", [marks]);
    if (version !== this.stored.version) {
      throw new KubeConflictError(
        "saveMarks",
        "the object has been modified; please apply your changes to the latest version and try again",
        { code: 409, statusReason: "Conflict" },
      );
    }
    this.stored = { marks: structuredClone(marks), version: String(++this.rv) };
  }
}
