import { expect } from "chai";
import { InvalidInputError } from "../../lib/errors";
import type { OciEmulator, WorldSnapshot } from "../../lib/testbed/oci-emulator";
import {
  authorize,
  parsePolicy,
  parsePolicyStatement,
  permissionsGranted,
  type CompartmentTree,
  type Principal,
} from "../../lib/testbed/iam";
import { permissionSide, type PermissionSide } from "../../lib/oci/permission-placement";
import { type OPERATION_PERMISSIONS, permissionsFor, workRequestPermissions } from "../../lib/oci/permissions";
import { allocatorStatements, componentPermissions } from "../../lib/oci/project-policies";
import { clientsFor, expectOciError, startWithClients, suiteKey } from "./helpers";

const TENANCY = "ocid1.tenancy.oc1..t";
const COMP = "ocid1.compartment.oc1..c";
const CHILD = "ocid1.compartment.oc1..child";
const tree: CompartmentTree = {
  tenancyId: TENANCY,
  resolve: (path) => ({ ocipam: COMP, "ocipam:pods": CHILD })[path.toLowerCase()],
  lineage: (id) => (id === CHILD ? [CHILD, COMP, TENANCY] : id === COMP ? [COMP, TENANCY] : [TENANCY]),
};
const allocator: Principal = {
  id: "ocid1.fnfunc.oc1..f",
  type: "resource",
  groups: [],
  dynamicGroups: [{ name: "ocipam-allocator" }],
};
const checks = (op: keyof typeof OPERATION_PERMISSIONS, compartmentId = COMP) =>
  permissionsFor(op).map((permission) => ({ permission, compartmentId }));

describe("IAM policy statements: parser and evaluator", () => {
  it("parses verb statements, permission lists, locations and conditions", () => {
    const s = parsePolicyStatement(
      "Allow dynamic-group 'Default'/'ocipam-allocator' to use private-ips " +
        "in compartment id ocid1.compartment.oc1..c where " +
        "request.principal.type = 'resource'",
    );
    expect(s.subjects).to.deep.equal([{ kind: "dynamic-group", by: "name", value: "ocipam-allocator" }]);
    expect(s.grant).to.deep.equal({ verb: "use", resourceType: "private-ips" });
    expect(s.location).to.deep.equal({ kind: "compartment", by: "id", value: COMP });
    expect(s.condition).to.deep.equal({
      kind: "compare",
      variable: "request.principal.type",
      op: "=",
      value: "resource",
    });
    const list = parsePolicyStatement("allow group A, B to {INSTANCE_READ, instance_attach_secondary_vnic} in tenancy");
    expect(list.subjects.map((x) => ("value" in x ? x.value : x.kind))).to.deep.equal(["A", "B"]);
    expect(list.grant).to.deep.equal({ permissions: ["INSTANCE_READ", "INSTANCE_ATTACH_SECONDARY_VNIC"] });
    const any = parsePolicyStatement(
      "Allow any-user to use stream-push in compartment ocipam:pods where " +
        "all {request.principal.type='serviceconnector', " +
        "request.principal.compartment.id != 'x'}",
    );
    expect(any.condition?.kind).to.equal("all");
  });

  it("rejects statements it cannot read, naming the policy field", () => {
    for (const bad of [
      "Allow group to use vnics in tenancy",
      "Deny group A to use vnics in tenancy",
      "Allow group A to fly vnics in tenancy",
      "Allow group A to {} in tenancy",
      "Endorse group A to manage all-resources in tenancy X",
    ]) {
      expect(() => parsePolicyStatement(bad), bad)
        .to.throw(InvalidInputError)
        .with.property("field", "policy");
    }
  });

  it("grants permissions cumulatively by verb (inspect ⊂ read ⊂ use ⊂ manage)", () => {
    expect(permissionsGranted("inspect", "private-ips").has("PRIVATE_IP_READ")).to.equal(true);
    expect(permissionsGranted("inspect", "private-ips").has("PRIVATE_IP_CREATE")).to.equal(false);
    expect(permissionsGranted("use", "private-ips").has("PRIVATE_IP_CREATE")).to.equal(true);
    expect(permissionsGranted("use", "instances").has("INSTANCE_ATTACH_SECONDARY_VNIC")).to.equal(false);
    expect(permissionsGranted("manage", "instances").has("INSTANCE_ATTACH_SECONDARY_VNIC")).to.equal(true);
    expect(permissionsGranted("manage", "vnic-attachments")).to.deep.equal(new Set(["VNIC_ATTACHMENT_READ"]));
    expect(permissionsGranted("use", "virtual-network-family").has("SUBNET_ATTACH")).to.equal(true);
    expect(permissionsGranted("use", "stream-push")).to.deep.equal(new Set(["STREAM_PRODUCE"]));
  });

  it("allows CreatePrivateIp only when every permission it needs is granted", () => {
    const partial = parsePolicy([
      "Allow dynamic-group ocipam-allocator to use private-ips in compartment ocipam",
      "Allow dynamic-group ocipam-allocator to use vnics in compartment ocipam",
    ]);
    const r = authorize(partial, allocator, { operation: "CreatePrivateIp", checks: checks("CreatePrivateIp") }, tree);
    expect(r.allowed).to.equal(false);
    expect(r.missing.map((m) => m.permission)).to.deep.equal(["SUBNET_ATTACH"]);
    const full = parsePolicy([
      ...partial.map((p) => p.text),
      "Allow dynamic-group ocipam-allocator to use subnets in compartment ocipam",
    ]);
    expect(
      authorize(full, allocator, { operation: "CreatePrivateIp", checks: checks("CreatePrivateIp") }, tree).allowed,
    ).to.equal(true);
  });

  it("applies a compartment's statements to its child compartments but not to its parent", () => {
    const statements = parsePolicy(["Allow dynamic-group ocipam-allocator to read instances in compartment ocipam"]);
    expect(
      authorize(statements, allocator, { operation: "GetInstance", checks: checks("GetInstance", CHILD) }, tree)
        .allowed,
    ).to.equal(true);
    expect(
      authorize(statements, allocator, { operation: "GetInstance", checks: checks("GetInstance", TENANCY) }, tree)
        .allowed,
    ).to.equal(false);
  });

  it("evaluates conditions, a variable that does not apply making the condition false", () => {
    const byType = parsePolicy([
      "Allow any-user to use stream-push in tenancy where request.principal.type = 'serviceconnector'",
    ]);
    const putChecks = checks("PutMessages");
    expect(authorize(byType, allocator, { operation: "PutMessages", checks: putChecks }, tree).allowed).to.equal(false);
    expect(
      authorize(
        byType,
        { ...allocator, type: "serviceconnector" },
        { operation: "PutMessages", checks: putChecks },
        tree,
      ).allowed,
    ).to.equal(true);
    const byStream = parsePolicy([
      "Allow dynamic-group ocipam-allocator to use stream-push in tenancy " +
        "where target.stream.id = 'ocid1.stream.oc1..s*'",
    ]);
    expect(authorize(byStream, allocator, { operation: "PutMessages", checks: putChecks }, tree).allowed).to.equal(
      false,
    );
    expect(
      authorize(
        byStream,
        allocator,
        { operation: "PutMessages", checks: putChecks, variables: { "target.stream.id": "ocid1.stream.oc1..s1" } },
        tree,
      ).allowed,
    ).to.equal(true);
  });
});

describe("OCI emulator: IAM enforcement (through the real SDK)", () => {
  let emulator: OciEmulator;
  let close: () => Promise<void>;
  let world: WorldSnapshot;

  const ALLOCATOR_POLICY = (compartmentId: string) => [
    `Allow dynamic-group ocipam-allocator to {INSTANCE_INSPECT, ` +
      `INSTANCE_READ, INSTANCE_ATTACH_SECONDARY_VNIC, ` +
      `INSTANCE_DETACH_SECONDARY_VNIC} in compartment id ${compartmentId}`,
    `Allow dynamic-group ocipam-allocator to use vnics in compartment id ${compartmentId}`,
    `Allow dynamic-group ocipam-allocator to use subnets in compartment id ${compartmentId}`,
    `Allow dynamic-group ocipam-allocator to use private-ips in compartment id ${compartmentId}`,
    `Allow dynamic-group ocipam-allocator to use network-security-groups in compartment id ${compartmentId}`,
    `Allow dynamic-group ocipam-allocator to inspect vnic-attachments in compartment id ${compartmentId}`,
    `Allow dynamic-group ocipam-allocator to inspect ipam in compartment id ${compartmentId}`,
  ];

  beforeEach(async () => {
    const probe = await startWithClients();
    const compartmentId = probe.emulator.admin.snapshot().compartments[0].id;
    await probe.close();
    ({ emulator, close } = await startWithClients({ enforceIam: true, policies: ALLOCATOR_POLICY(compartmentId) }));
    world = emulator.admin.snapshot();
  });
  afterEach(async () => close());

  it("lets the allocator's dynamic group read instances and create private IPs", async () => {
    const clients = clientsFor(emulator);
    const vnicId = world.vnics.find((v) => v.isPrimary)!.id;
    await clients.compute.getInstance({ instanceId: world.instances[0].id });
    await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } });
    await clients.vcn.getSubnetIpInventory({ subnetId: world.subnets[0].id });
  });

  it("answers 404 NotAuthorizedOrNotFound to a principal outside the dynamic group", async () => {
    const watcher = clientsFor(
      emulator,
      emulator.admin.addPrincipal({ name: "watcher", dynamicGroups: ["ocipam-watcher"], privateKeyPem: suiteKey() }),
    );
    const vnicId = world.vnics.find((v) => v.isPrimary)!.id;
    await expectOciError(
      () => watcher.compute.getInstance({ instanceId: world.instances[0].id }),
      404,
      "NotAuthorizedOrNotFound",
    );
    await expectOciError(
      () => watcher.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId } }),
      404,
      "NotAuthorizedOrNotFound",
    );
    expect(emulator.admin.snapshot().privateIps).to.have.length(world.privateIps.length);
  });

  it("denies an operation whose permission the policy lacks (Streaming PutMessages without stream-push)", async () => {
    const clients = clientsFor(emulator);
    const streamId = world.streams[0].id as string;
    await expectOciError(
      () =>
        clients.stream.putMessages({
          streamId,
          putMessagesDetails: { messages: [{ value: Buffer.from("x").toString("base64") }] },
        }),
      404,
      "NotAuthorizedOrNotFound",
    );
    emulator.admin.setPolicies([
      `Allow dynamic-group ocipam-allocator to use stream-push in compartment id ${world.compartments[0].id}`,
    ]);
    await clients.stream.putMessages({
      streamId,
      putMessagesDetails: { messages: [{ value: Buffer.from("x").toString("base64") }] },
    });
  });

  it("requires the NSG permissions only for an AttachVnic that names NSGs", async () => {
    emulator.admin.setPolicies(
      ALLOCATOR_POLICY(world.compartments[0].id).filter((s) => !s.includes("network-security-groups")),
    );
    const clients = clientsFor(emulator);
    const instanceId = world.instances.find((i) => i.displayName === "worker-e4-8")!.id;
    const subnetId = world.subnets.find((s) => s.displayName === "pods-regional")!.id;
    const nsgId = world.nsgs[1].id as string;
    await expectOciError(
      () =>
        clients.compute.attachVnic({
          attachVnicDetails: { instanceId, createVnicDetails: { subnetId, nsgIds: [nsgId] } },
        }),
      404,
      "NotAuthorizedOrNotFound",
    );
    const r = await clients.compute.attachVnic({ attachVnicDetails: { instanceId, createVnicDetails: { subnetId } } });
    expect(r.vnicAttachment.lifecycleState).to.equal("ATTACHING");
  });
});

describe("where the allocator's permissions are checked (lib/oci/permission-placement.ts)", () => {
  const rows: Array<[string, PermissionSide]> = [
    ["INSTANCE_READ", "instance"],
    ["INSTANCE_INSPECT", "instance"],
    ["INSTANCE_ATTACH_SECONDARY_VNIC", "instance"],
    ["INSTANCE_DETACH_SECONDARY_VNIC", "instance"],
    ["VNIC_ATTACHMENT_READ", "instance"],
    ["VNIC_READ", "network"],
    ["VNIC_CREATE", "network"],
    ["VNIC_UPDATE", "network"],
    ["VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP", "network"],
    ["PRIVATE_IP_CREATE", "network"],
    ["PRIVATE_IP_UPDATE", "network"],
    ["SUBNET_ATTACH", "network"],
    ["IPAM_READ", "network"],
    ["NETWORK_SECURITY_GROUP_READ", "network"],
    ["NETWORK_SECURITY_GROUP_UPDATE_MEMBERS", "network"],
    ["SECRET_BUNDLE_READ", "secret"],
  ];
  for (const [permission, side] of rows) {
    it(`checks ${permission} in the ${side} compartment`, () => expect(permissionSide(permission)).to.equal(side));
  }

  it("refuses a permission it has no rule for rather than guessing", () => {
    expect(() => permissionSide("STREAM_PRODUCE")).to.throw(/no compartment rule/);
  });

  it("writes one statement per side, each with only that side's permissions, covering every one", () => {
    const statements = allocatorStatements("dg", {
      instanceCompartmentIds: ["w1", "w2", "w1"],
      networkCompartmentId: "n",
      secretCompartmentId: "s",
    });
    expect(statements.map((s) => s.replace(/\{.*\}/, "{…}"))).to.deep.equal([
      "Allow dynamic-group dg to {…} in compartment id w1",
      "Allow dynamic-group dg to {…} in compartment id w2",
      "Allow dynamic-group dg to {…} in compartment id n",
      "Allow dynamic-group dg to {…} in compartment id s",
    ]);
    const granted = parsePolicy(statements).flatMap((s) => ("permissions" in s.grant ? s.grant.permissions : []));
    expect([...new Set(granted)].sort()).to.deep.equal(componentPermissions("allocator"));
    expect(statements[2]).to.contain("PRIVATE_IP_UPDATE").and.contain("VNIC_UPDATE").and.not.contain("INSTANCE_");
    expect(statements[0]).to.contain("INSTANCE_ATTACH_SECONDARY_VNIC").and.not.contain("VNIC_READ");
  });

  it("asks nothing of its own for reading a work request, only what the spawning operation needs", () => {
    expect(permissionsFor("GetWorkRequest")).to.deep.equal([]);
    expect(workRequestPermissions("BulkCreatePrivateIps")).to.deep.equal(["PRIVATE_IP_CREATE"]);
    expect(workRequestPermissions("SomethingElse")).to.deep.equal([]);
  });
});
