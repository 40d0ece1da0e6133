import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkAgainstSchema, ociConstraint, parseConstraint } from "./provider-schema/check";
import { compareVersions, type ProviderSchema } from "./provider-schema/schema-types";
import { loadTerraform } from "./terraform";

const REPO = join(__dirname, "..", "..");
const TF = join(REPO, "infra", "terraform");
const SCHEMA = JSON.parse(
  readFileSync(join(__dirname, "provider-schema", "oci-provider-schema.json"), "utf8"),
) as ProviderSchema;

/** Problems of one HCL snippet (written to a temporary directory and parsed like infra/terraform). */
async function problemsOf(dirs: string[], hcl: string, lowerBound: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "ocipam-schema-"));
  dirs.push(dir);
  await writeFile(join(dir, "main.tf"), hcl);
  return checkAgainstSchema(await loadTerraform(dir), SCHEMA, lowerBound);
}

const lines = (...l: string[]) => `${l.join("\n")}\n`;
/** An events rule with the required attributes and `body` (its actions) inside. */
const RULE = (...body: string[]) =>
  lines(
    'resource "oci_events_rule" "r" {',
    '  compartment_id = "c"',
    '  display_name = "d"',
    "  is_enabled = true",
    '  condition = "{}"',
    ...body,
    "}",
  );
const STREAM = (extra: string) =>
  `resource "oci_streaming_stream" "s" {\n  name = "n"\n  partitions = 1\n${extra}\n}\n`;
const APP = (extra: string) =>
  lines(
    'resource "oci_functions_application" "a" {',
    '  compartment_id = "c"',
    '  display_name = "d"',
    '  subnet_ids = ["s"]',
    extra,
    "}",
  );

describe("infra/terraform against the oracle/oci provider schema of the pinned versions", function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("uses known resources, attributes and blocks, every required one, none newer than the lower bound", async () => {
    const config = await loadTerraform(TF);
    const constraint = parseConstraint(ociConstraint(config));
    const problems = checkAgainstSchema(config, SCHEMA, constraint.lower);
    const types = Object.keys(config.resources).sort();
    console.log(
      `      oci ${constraint.text} (lower bound ${constraint.lower}); schema ${SCHEMA.schemaTag}; ` +
        `${types.length} resource types: ${types.join(", ")}; problems: ${problems.length}`,
    );
    expect(problems).to.deep.equal([]);
    expect(types.length).to.be.greaterThan(10);
  });

  it("stores the schema of a release the constraint admits, scanned from before its lower bound", async () => {
    const constraint = parseConstraint(ociConstraint(await loadTerraform(TF)));
    expect(compareVersions(SCHEMA.schemaTag, constraint.lower)).to.be.at.least(0);
    if (constraint.upperExclusive)
      expect(compareVersions(SCHEMA.schemaTag, constraint.upperExclusive)).to.be.lessThan(0);
    expect(compareVersions(SCHEMA.scannedFrom, constraint.lower)).to.be.lessThan(0);
    // Every field says where it was read.
    const logging = SCHEMA.resources.oci_functions_application!.fields.logging!;
    expect(logging).to.include({
      kind: "block",
      introduced: "v8.11.0",
      source: "oracle/terraform-provider-oci:internal/service/functions/functions_application_resource.go@v8.11.0",
    });
  });

  it("fails the configuration under the old `~> 7.0`: the logging block and `action` came later", async () => {
    const problems = checkAgainstSchema(await loadTerraform(TF), SCHEMA, parseConstraint("~> 7.0").lower);
    expect(problems).to.include(
      "oci_functions_application.ocipam.logging: introduced in provider v8.11.0 " +
        "(oracle/terraform-provider-oci:internal/service/functions/functions_application_resource.go@v8.11.0), " +
        "newer than the constraint's lower bound v7.0.0",
    );
    expect(problems.join("\n")).to.match(
      /oci_events_rule\.instances\.actions\.action: introduced in provider v8\.22\.0/,
    );
  });

  const cases: Array<{ name: string; hcl: string; lower?: string; expected: RegExp }> = [
    {
      name: "an unknown resource type",
      hcl: `resource "oci_functions_app" "a" {\n  compartment_id = "c"\n}\n`,
      expected: /^oci_functions_app: unknown resource type/,
    },
    {
      name: "an unknown attribute",
      hcl: STREAM(`  retention_days = 1`),
      expected: /^oci_streaming_stream\.s\.retention_days: no such attribute or block/,
    },
    {
      name: "an unknown nested attribute",
      hcl: APP(`  logging {\n    format = "JSON"\n  }`),
      expected: /^oci_functions_application\.a\.logging\.format: no such attribute/,
    },
    {
      name: "a missing required attribute",
      hcl: `resource "oci_streaming_stream" "s" {\n  partitions = 1\n}\n`,
      expected: /^oci_streaming_stream\.s: required attribute name is missing$/,
    },
    {
      name: "a missing required block",
      hcl: RULE(),
      expected: /^oci_events_rule\.r: required block actions is missing$/,
    },
    {
      name: "a missing required attribute inside a dynamic block",
      hcl: lines(
        'resource "oci_functions_function" "f" {',
        '  application_id = "a"',
        '  display_name = "d"',
        "  memory_in_mbs = 128",
        '  dynamic "provisioned_concurrency_config" {',
        "    for_each = [1]",
        "    content {",
        "      count = 1",
        "    }",
        "  }",
        "}",
      ),
      expected: /^oci_functions_function\.f\.provisioned_concurrency_config: required attribute strategy is missing$/,
    },
    {
      name: "a block written as an attribute",
      hcl: APP(`  logging = { line_format = "JSON" }`),
      expected: /logging: is a block in the provider schema, written as an attribute/,
    },
    {
      name: "an attribute computed by the provider",
      hcl: APP(`  state = "ACTIVE"`),
      expected: /^oci_functions_application\.a\.state: computed by the provider, it cannot be set$/,
    },
    {
      name: "a value outside the provider's list",
      hcl: RULE(
        "  actions {",
        "    action {",
        '      action_type = "LAMBDA"',
        "      is_enabled = true",
        "    }",
        "  }",
      ),
      expected: /action_type: "LAMBDA" is not one of FAAS, ONS, OSS/,
    },
    {
      name: "a deprecated block",
      hcl: RULE(
        "  actions {",
        "    actions {",
        '      action_type = "FAAS"',
        "      is_enabled = true",
        "    }",
        "  }",
      ),
      expected: /^oci_events_rule\.r\.actions\.actions: deprecated in the provider schema$/,
    },
    {
      name: "a field newer than the lower bound",
      hcl: APP(`  shape = "GENERIC_ARM"`),
      lower: "v5.1.0",
      expected:
        /^oci_functions_application\.a\.shape: introduced in provider v5\.2\.0 .*newer than .* lower bound v5\.1\.0$/,
    },
    {
      name: "a data source the schema does not hold",
      hcl: `data "oci_core_vcn" "v" {\n  vcn_id = "x"\n}\n`,
      expected: /data source oci_core_vcn is not in the stored schema/,
    },
  ];
  for (const c of cases) {
    it(`fails on ${c.name}`, async () => {
      const problems = await problemsOf(dirs, c.hcl, c.lower ?? "v8.22.0");
      expect(
        problems.some((p) => c.expected.test(p)),
        problems.join("\n"),
      ).to.equal(true);
    });
  }

  it("accepts the same snippets when they are right (the checks are not always failing)", async () => {
    expect(await problemsOf(dirs, STREAM(`  retention_in_hours = 24`), "v8.22.0")).to.deep.equal([]);
    expect(
      await problemsOf(dirs, APP(`  shape = "GENERIC_ARM"\n  logging {\n    line_format = "JSON"\n  }`), "v8.22.0"),
    ).to.deep.equal([]);
    // A value list the provider builds from SDK constants is not read as an empty list (any value would fail).
    const connector = lines(
      'resource "oci_sch_service_connector" "c" {',
      '  compartment_id = "c"',
      '  display_name = "d"',
      '  state = "INACTIVE"',
      '  source {\n    kind = "logging"\n  }',
      '  target {\n    kind = "monitoring"\n  }',
      "}",
    );
    expect(await problemsOf(dirs, connector, "v8.22.0")).to.deep.equal([]);
  });

  const constraints: Array<[string, string, string | undefined]> = [
    ["~> 8.22", "v8.22.0", "v9.0.0"],
    ["~> 8.22.1", "v8.22.1", "v8.23.0"],
    [">= 8.11.0", "v8.11.0", undefined],
    [">= 8.11.0, < 9.0.0", "v8.11.0", "v9.0.0"],
    ["8.28.0", "v8.28.0", "v8.28.1"],
  ];
  for (const [text, lower, upper] of constraints) {
    it(`reads the constraint "${text}" as from ${lower}${upper ? ` to before ${upper}` : ""}`, () => {
      expect(parseConstraint(text)).to.deep.equal({ text, lower, ...(upper ? { upperExclusive: upper } : {}) });
    });
  }

  it("refuses constraint operators whose lower bound it cannot know", () => {
    expect(() => parseConstraint("!= 8.1.0")).to.throw(/unsupported version constraint/);
    expect(() => parseConstraint("< 9.0.0")).to.throw(/no lower bound/);
  });
});
