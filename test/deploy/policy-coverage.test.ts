import { expect } from "chai";
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMPONENT_OPERATIONS } from "../../lib/oci/project-policies";
import { allocatorOperations, operationsCalledIn, watcherOperations } from "./code-operations";
import { BASE_SCENARIO, checkPolicyCoverage, type Scenario } from "./policy-coverage";

const REPO = join(__dirname, "..", "..");
const TF = join(REPO, "infra", "terraform");

/** A copy of infra/terraform with `from` replaced by `to` in `file` (which must contain `from` exactly once). */
async function mutatedCopy(dirs: string[], file: string, from: string, to: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ocipam-tf-"));
  dirs.push(dir);
  await cp(TF, dir, { recursive: true });
  const path = join(dir, file);
  const text = await readFile(path, "utf8");
  expect(text.split(from).length - 1, `${file} should contain the mutated text once: ${from}`).to.equal(1);
  await writeFile(path, text.replace(from, to));
  return dir;
}

/** An allocator statement line of iam.tf, as written there (Terraform interpolations unexpanded). */
const NET = "${local.network_compartment_id}";
const EACH = "${each.value}";
const allocatorLine = (grant: string, where: string, indent = "    ") =>
  `${indent}"Allow dynamic-group ` +
  `\${oci_identity_dynamic_group.allocator.name} to ${grant} in ` +
  `compartment id ${where}",\n`;
const PRIVATE_IPS =
  "{PRIVATE_IP_READ, PRIVATE_IP_CREATE, PRIVATE_IP_ASSIGN, PRIVATE_IP_UPDATE, PRIVATE_IP_DELETE, PRIVATE_IP_UNASSIGN}";
const VNICS =
  "{VNIC_READ, VNIC_CREATE, VNIC_ATTACH, VNIC_UPDATE, VNIC_DETACH, VNIC_DELETE, VNIC_ASSIGN, VNIC_UNASSIGN, " +
  "VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP}";

const ALT_SCENARIO: Scenario = {
  ...BASE_SCENARIO,
  cluster_compartment_ids: ["ocid1.compartment.oc1..workers-a", "ocid1.compartment.oc1..workers-b"],
  network_compartment_id: null,
  use_bulk_create: true,
  watcher_instance_compartment_ids: ["ocid1.compartment.oc1..workers-a"],
  enable_instance_events: false,
  create_service_policies: false,
};

describe("Terraform IAM policies against the code's operation → permission table", function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it(
    "grants the allocator, the watcher and the platform services exactly " +
      "what they need with the default variables",
    async () => {
      const { problems, statements } = await checkPolicyCoverage(TF, REPO, BASE_SCENARIO);
      expect(problems).to.deep.equal([]);
      // No verb that the permission lists exist to avoid.
      for (const s of statements)
        expect(s.text).not.to.match(
          /\bmanage (instances|vnics|private-ips|instance-family|virtual-network-family|all-resources)\b/,
        );
    },
  );

  it(
    "stays exact with two cluster compartments, subnets in the first one, " +
      "bulk create, the watcher on some nodes only, no events and no service " +
      "policies",
    async () => {
      const { problems, statements } = await checkPolicyCoverage(TF, REPO, ALT_SCENARIO);
      expect(problems).to.deep.equal([]);
      // Work requests inherit the permissions of BulkCreatePrivateIps: no statement of their own.
      expect(statements.filter((s) => /work-requests|WORKREQUEST/.test(s.text))).to.deep.equal([]);
    },
  );

  it("fails when a statement is removed: without `inspect ipam` the allocator misses IPAM_READ", async () => {
    const dir = await mutatedCopy(
      dirs,
      "iam.tf",
      '    "Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} ' +
        'to inspect ipam in compartment id ${local.network_compartment_id}",\n',
      "",
    );
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    expect(problems.join("\n")).to.match(/dg-allocator @ ocid1\.compartment\.oc1\.\.network is missing IPAM_READ/);
    expect(problems.join("\n")).to.match(/IAM evaluator denies the allocator GetSubnetIpInventory/);
  });

  it("fails when the private-IP statement is removed", async () => {
    const dir = await mutatedCopy(dirs, "iam.tf", allocatorLine(PRIVATE_IPS, NET), "");
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    expect(problems.join("\n")).to.contain(
      "is missing PRIVATE_IP_ASSIGN, PRIVATE_IP_CREATE, PRIVATE_IP_DELETE, " +
        "PRIVATE_IP_READ, PRIVATE_IP_UNASSIGN, PRIVATE_IP_UPDATE",
    );
  });

  it("fails when the attach permission is broadened to `manage instances`", async () => {
    const attach = "to {INSTANCE_ATTACH_SECONDARY_VNIC, INSTANCE_DETACH_SECONDARY_VNIC} in";
    const dir = await mutatedCopy(dirs, "iam.tf", attach, "to manage instances in");
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    const text = problems.join("\n");
    expect(text).to.match(/granted more than the code needs: .*INSTANCE_CREATE.*INSTANCE_DELETE/);
  });

  it("fails when subnets are broadened to `manage virtual-network-family`", async () => {
    const dir = await mutatedCopy(dirs, "iam.tf", "to use subnets in", "to manage virtual-network-family in");
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    expect(problems.join("\n")).to.match(/network is granted more than the code needs: .*SUBNET_CREATE.*VCN_DELETE/);
  });

  it("fails when the watcher may publish to any stream (its target.stream.id condition dropped)", async () => {
    const dir = await mutatedCopy(
      dirs,
      "iam.tf",
      "to use stream-push in compartment id ${var.compartment_id} where " +
        "target.stream.id = '${oci_streaming_stream.nudges.id}'",
      "to use stream-push in compartment id ${var.compartment_id}",
    );
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    const text = problems.join("\n");
    expect(text).to.match(/oci_identity_policy\.watcher: .* has condition \[\], expected \[target\.stream\.id/);
    expect(text).to.contain("the watcher may PutMessages to streams other than the nudge stream");
  });

  it("fails when the token grant is broadened from one secret's bundles to the whole secret-family", async () => {
    const dir = await mutatedCopy(dirs, "iam.tf", "to {SECRET_BUNDLE_READ} in", "to read secret-family in");
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    const text = problems.join("\n");
    expect(text).to.match(/dg-allocator @ ocid1\.compartment\.oc1\.\.ocipam is missing SECRET_BUNDLE_READ/);
    expect(text).to.match(/statement no code operation needs: dynamic-group dg-allocator \| read secret-family/);
  });

  it(
    "fails when the token grant covers every secret of the compartment " + "(its target.secret.id condition dropped)",
    async () => {
      const dir = await mutatedCopy(
        dirs,
        "iam.tf",
        " where target.secret.id = '${oci_vault_secret.kube_token.id}'",
        "",
      );
      const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
      const text = problems.join("\n");
      expect(text).to.match(/allocator_secret: .* has condition \[\], expected \[target\.secret\.id/);
      expect(text).to.contain("the allocator may read secrets other than the Kubernetes token");
    },
  );

  it(
    "reads from the code the same operations lib/oci/project-policies.ts " + "lists for the allocator and the watcher",
    () => {
      expect(allocatorOperations(REPO, true)).to.deep.equal([...COMPONENT_OPERATIONS.allocator].sort());
      expect(watcherOperations(REPO)).to.deep.equal([...COMPONENT_OPERATIONS.watcher].sort());
    },
  );

  it("fails when a platform grant is broadened: Connector Hub to `manage functions-family`", async () => {
    const dir = await mutatedCopy(
      dirs,
      "iam.tf",
      '"Allow any-user to use fn-invocation in',
      '"Allow any-user to manage functions-family in',
    );
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    const text = problems.join("\n");
    expect(text).to.match(/unexpected platform statement: serviceconnector \| manage functions-family/);
    expect(text).to.match(/missing platform statement: serviceconnector \| use fn-invocation/);
  });

  it("fails when work requests get a grant of their own: they inherit BulkCreatePrivateIps' permissions", async () => {
    const ipam = allocatorLine("inspect ipam", NET);
    const dir = await mutatedCopy(dirs, "iam.tf", ipam, ipam + allocatorLine("inspect work-requests", NET));
    const { problems } = await checkPolicyCoverage(dir, REPO, ALT_SCENARIO);
    expect(problems.join("\n")).to.contain("workers-a is granted more than the code needs: WORKREQUEST_INSPECT");
  });

  it("fails when the private-IP statement is in the deployment's compartment instead of the network's", async () => {
    const from = "PRIVATE_IP_DELETE, PRIVATE_IP_UNASSIGN} in compartment id ${local.network_compartment_id}";
    const to = "PRIVATE_IP_DELETE, PRIVATE_IP_UNASSIGN} in compartment id ${var.compartment_id}";
    const dir = await mutatedCopy(dirs, "iam.tf", from, to);
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    const text = problems.join("\n");
    expect(text).to.match(
      /@ ocid1\.compartment\.oc1\.\.network is missing PRIVATE_IP_ASSIGN, PRIVATE_IP_CREATE, .*_UPDATE/,
    );
    expect(text).to.match(/@ ocid1\.compartment\.oc1\.\.ocipam is granted more than the code needs: PRIVATE_IP_ASSIGN/);
    expect(text).to.match(
      /evaluator denies the allocator CreatePrivateIp in ocid1\.compartment\.oc1\.\.workers: missing PRIVATE_IP_CREATE/,
    );
  });

  it("fails when the VNIC statement is granted in the cluster compartments, where VNICs do not live", async () => {
    const dir = await mutatedCopy(dirs, "iam.tf", allocatorLine(VNICS, NET), "");
    const moved = await readFile(join(dir, "iam.tf"), "utf8");
    const attach = allocatorLine("{INSTANCE_ATTACH_SECONDARY_VNIC, INSTANCE_DETACH_SECONDARY_VNIC}", EACH);
    expect(moved.split(attach)).to.have.length(2);
    await writeFile(join(dir, "iam.tf"), moved.replace(attach, attach + allocatorLine(VNICS, EACH)));
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    const text = problems.join("\n");
    expect(text).to.match(/network is missing VNIC_ASSIGN, VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP, VNIC_ATTACH/);
    expect(text).to.match(/workers is granted more than the code needs: VNIC_ASSIGN/);
  });

  it("fails when a grant is broader than its compartment: `inspect ipam` in the whole tenancy", async () => {
    const dir = await mutatedCopy(
      dirs,
      "iam.tf",
      `to inspect ipam in compartment id ${NET}`,
      "to inspect ipam in tenancy",
    );
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    const text = problems.join("\n");
    expect(text).to.match(/@ tenancy is granted more than the code needs: IPAM_READ/);
    expect(text).to.match(/network is missing IPAM_READ/);
  });

  it("fails when a statement grants to a whole group of users", async () => {
    const dir = await mutatedCopy(
      dirs,
      "iam.tf",
      '"Allow dynamic-group ${oci_identity_dynamic_group.allocator.name} to inspect ipam in',
      '"Allow any-group to inspect ipam in',
    );
    const { problems } = await checkPolicyCoverage(dir, REPO, BASE_SCENARIO);
    expect(problems.join("\n")).to.match(
      /"Allow any-group to inspect ipam in .*" grants to a subject that is not one principal of this deployment/,
    );
  });

  it(
    "derives operations from the code: named caller calls and SDK method " +
      "calls, refusing operations without a permission row",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "ocipam-ops-"));
      dirs.push(dir);
      await mkdir(join(dir, "a"));
      await writeFile(
        join(dir, "a", "x.ts"),
        'caller.call("DetachVnic", {}, o, () => this.client.detachVnic(r));\nthis.client.getSubnet({ subnetId });\n',
      );
      expect(operationsCalledIn(join(dir, "a"))).to.deep.equal(["DetachVnic", "GetSubnet"]);
      await writeFile(join(dir, "a", "y.ts"), 'caller.listAll("TerminateInstance", o, f);\n');
      expect(() => operationsCalledIn(join(dir, "a"))).to.throw(/TerminateInstance/);
    },
  );
});
