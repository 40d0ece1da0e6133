import type { IpamRecord, IpamRecords, IpamRecordStatus, RecordOwner } from "../../lib/ports/kube";
import type { Faults } from "./faults";

/** OciIpamNode records in memory: one per node, claiming an instance, with an owner Node and contenders. */
export class FakeRecords implements IpamRecords {
  readonly records = new Map<string, IpamRecord & { owner?: RecordOwner }>();
  private rv = 1;

  constructor(private readonly faults: Faults) {}

  async get(name: string): Promise<IpamRecord | undefined> {
    this.faults.check("kube", "getRecord", [name]);
    const r = this.records.get(name);
    if (!r) return undefined;
    const { owner: _o, ...record } = r;
    return structuredClone(record);
  }

  async save(name: string, instanceId: string, status: IpamRecordStatus, owner?: RecordOwner): Promise<void> {
    this.faults.check("kube", "save", [name, instanceId, status]);
    const existing = this.records.get(name);
    this.records.set(name, {
      name,
      instanceId,
      status: structuredClone(status),
      resourceVersion: String(++this.rv),
      contenders: existing?.contenders ?? [],
      ...((existing?.owner ?? owner) ? { owner: existing?.owner ?? owner! } : {}),
    });
  }

  async findByInstance(instanceId: string): Promise<IpamRecord[]> {
    this.faults.check("kube", "findByInstance", [instanceId]);
    return [...this.records.values()]
      .filter((r) => r.instanceId === instanceId)
      .map(({ owner: _o, ...r }) => structuredClone(r));
  }

  async addContender(name: string, contender: string): Promise<void> {
    this.faults.check("kube", "addContender", [name, contender]);
    const r = this.records.get(name);
    if (r && !r.contenders.includes(contender)) r.contenders = [...r.contenders, contender].sort();
  }

  async clearContenders(name: string): Promise<void> {
    this.faults.check("kube", "clearContenders", [name]);
    const r = this.records.get(name);
    if (r) r.contenders = [];
  }

  async remove(name: string): Promise<void> {
    this.faults.check("kube", "remove", [name]);
    this.records.delete(name);
  }
}
