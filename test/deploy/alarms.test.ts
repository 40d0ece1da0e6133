import { expect } from "chai";
import { join } from "node:path";
import { checkAlarms, type AlarmDefinition } from "./alarms";
import { loadTerraform, type Body, type TerraformConfig } from "./terraform";

const REPO = join(__dirname, "..", "..");
const TF = join(REPO, "infra", "terraform");

/** A deep copy of the configuration with `change` applied. */
function mutated(config: TerraformConfig, change: (c: TerraformConfig) => void): TerraformConfig {
  const copy = structuredClone(config);
  change(copy);
  return copy;
}

const alarms = (c: TerraformConfig) => c.locals.alarm_definitions as Record<string, AlarmDefinition>;
const connector = (c: TerraformConfig) => c.resources.oci_sch_service_connector!.log_metrics!;

describe("alarms on what operators care about (infra/terraform/monitoring.tf)", function () {
  this.timeout(30_000);
  let config: TerraformConfig;
  before(async () => {
    config = await loadTerraform(TF);
  });

  it("make a metric of logged fields and alarm on ok:false, AtCapacity and Error", () => {
    expect(checkAlarms(config, REPO)).to.deep.equal([]);
    const custom = Object.entries(alarms(config))
      .filter(([, a]) => a.namespace !== "oci_faas")
      .map(([n]) => n);
    expect(custom).to.have.members(["invocations_not_ok", "nodes_at_capacity", "nodes_in_error"]);
  });

  const cases: Array<{ name: string; change: (c: TerraformConfig) => void; expected: RegExp }> = [
    {
      name: "a dimension read from a field no log line has",
      change: (c) => ((c.locals.log_metric_dimensions as Record<string, string>).state = "nodeState"),
      expected: /dimension state: the allocator's log lines carry no field nodeState/,
    },
    {
      name: "an alarm on a state the code never writes",
      change: (c) => (alarms(c).nodes_at_capacity!.query = '${local.log_metric_name}[5m]{state = "Full"}.count() > 0'),
      expected: /state = "Full" is a value the code never writes \(Ready, Allocating, AtCapacity, Error\)/,
    },
    {
      name: "an alarm on a dimension the connector does not write",
      change: (c) => (alarms(c).nodes_in_error!.query = '${local.log_metric_name}[5m]{phase = "Error"}.count() > 0'),
      expected: /filters on phase, which the connector does not write/,
    },
    {
      name: "no alarm for nodes in Error",
      change: (c) => delete alarms(c).nodes_in_error,
      expected: /^no alarm for nodes in Error/,
    },
    {
      name: "no alarm for ok:false",
      change: (c) => delete alarms(c).invocations_not_ok,
      expected: /^no alarm for invocations reporting ok:false/,
    },
    {
      name: "a connector reading another log",
      change: (c) => (((connector(c).source as Body[])[0]!.log_sources as Body[])[0]!.log_id = "${var.some_log}"),
      expected: /does not read the function's invocation log/,
    },
    {
      name: "a connector created without alarms",
      change: (c) => delete connector(c).count,
      expected: /not created exactly when enable_alarms is set/,
    },
    {
      name: "a policy for any connector of the tenancy",
      change: (c) => {
        const p = c.resources.oci_identity_policy!.log_metrics!;
        p.statements = [
          (p.statements as string[])[0]!.replace(", request.principal.compartment.id = '${var.compartment_id}'", ""),
        ];
      },
      expected: /policy condition lacks request\.principal\.compartment\.id/,
    },
    {
      name: "a policy for every namespace",
      change: (c) => {
        const p = c.resources.oci_identity_policy!.log_metrics!;
        p.statements = [
          (p.statements as string[])[0]!.replace(", target.metrics.namespace = '${var.alarm_metric_namespace}'", ""),
        ];
      },
      expected: /policy condition lacks target\.metrics\.namespace/,
    },
    {
      name: "a policy that manages metrics",
      change: (c) => {
        const p = c.resources.oci_identity_policy!.log_metrics!;
        p.statements = [(p.statements as string[])[0]!.replace("use metrics", "manage metrics")];
      },
      expected: /grants manage metrics, expected use metrics/,
    },
  ];
  for (const c of cases) {
    it(`fails on ${c.name}`, () => {
      const problems = checkAlarms(mutated(config, c.change), REPO);
      expect(
        problems.some((p) => c.expected.test(p)),
        problems.join("\n"),
      ).to.equal(true);
    });
  }
});
