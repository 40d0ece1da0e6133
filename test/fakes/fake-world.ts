import type { CiliumNodeIpam } from "../../lib/core/model";
import type { CollectorPorts } from "../../lib/collect/collect-leaks";
import type { InstanceInfo, SubnetInfo } from "../../lib/ports/oci";
import { FakeCiliumNodes } from "./fake-cilium-nodes";
import { FakeClock } from "./fake-clock";
import { FakeInventory, FakeLeakMarks } from "./fake-collector-ports";
import { FakeCompute } from "./fake-compute";
import { FakeEvents } from "./fake-events";
import { FakeKubeNodes, FakePods } from "./fake-kube-nodes";
import { FakeLeases } from "./fake-leases";
import { FakeNetwork } from "./fake-network";
import { FakeRecords } from "./fake-records";
import { Faults } from "./faults";
import { FakeOciWorld, type FakeOciOptions } from "./oci-world";

/**
 * One consistent world behind every fake port: the OCI side (FakeOciWorld) and the Kubernetes side, sharing one fake
 * clock. Tests build a situation with the helpers (joinNode, deleteNode), run a use case, and assert on the world.
 */
export class FakeWorld {
  readonly clock: FakeClock;
  readonly oci: FakeOciWorld;
  readonly compute: FakeCompute;
  readonly network: FakeNetwork;
  /** Faults and the call log of every Kubernetes fake (the OCI ones are `oci.faults`). */
  readonly kubeFaults = new Faults();
  readonly ciliumNodes: FakeCiliumNodes;
  readonly nodes: FakeKubeNodes;
  readonly pods: FakePods;
  readonly locks: FakeLeases;
  readonly records: FakeRecords;
  readonly events = new FakeEvents();
  readonly inventory: FakeInventory;
  readonly marks: FakeLeakMarks;
  /** The subnet new instances' primary VNICs go to (10.0.1.0/24). */
  readonly nodeSubnet: SubnetInfo;

  constructor(options: FakeOciOptions & { start?: string } = {}) {
    this.clock = new FakeClock(options.start);
    this.oci = new FakeOciWorld(this.clock, options);
    this.compute = new FakeCompute(this.oci);
    this.network = new FakeNetwork(this.oci);
    this.ciliumNodes = new FakeCiliumNodes(this.kubeFaults);
    this.nodes = new FakeKubeNodes(this.kubeFaults);
    this.pods = new FakePods(this.kubeFaults);
    this.locks = new FakeLeases(this.clock, this.kubeFaults);
    this.records = new FakeRecords(this.kubeFaults);
    this.inventory = new FakeInventory(this.nodes, this.records, this.kubeFaults);
    this.marks = new FakeLeakMarks(this.kubeFaults);
    this.nodeSubnet = this.oci.addSubnet("10.0.1.0/24", { id: "ocid1.subnet.oc1..nodes" });
  }

  /**
   * A node joins: its instance runs (primary VNIC in the node subnet), the kubelet registers the Node, the agent
   * creates the CiliumNode. Returns the instance.
   */
  joinNode(
    name: string,
    options: { instance?: Partial<InstanceInfo>; ipam?: Partial<CiliumNodeIpam>; instanceId?: string } = {},
  ): InstanceInfo {
    const instance = options.instanceId
      ? this.oci.instances.get(options.instanceId)!
      : this.oci.addInstance(this.nodeSubnet.id, { displayName: name, ...options.instance });
    this.nodes.add(name, instance.id);
    this.ciliumNodes.create(name, { preAllocate: 8, ...options.ipam });
    return instance;
  }

  /** A Node is deleted: its CiliumNode goes, and Kubernetes' garbage collector deletes the record it owns. */
  deleteNode(name: string): void {
    this.nodes.nodes.delete(name);
    this.ciliumNodes.delete(name);
    const record = this.records.records.get(name);
    if (record?.owner?.name === name) this.records.records.delete(name);
  }

  /** An invocation deadline `seconds` from now on the fake clock. */
  deadline(seconds = 60): Date {
    return new Date(this.clock.nowMs() + seconds * 1000);
  }

  collectorPorts(): CollectorPorts {
    return { inventory: this.inventory, marks: this.marks };
  }
}
