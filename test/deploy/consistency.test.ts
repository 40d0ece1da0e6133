import { parse as parseHcl } from "@cdktf/hcl2json";
import { expect } from "chai";
import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { SUPPORTED_OCI_EVENT_TYPES } from "../../events/contracts";
import { WATCHER_CONFIG_KEYS } from "../../events/watcher/config";
import { ALLOCATOR_CONFIG_KEYS, loadAllocatorConfig } from "../../lib/config/allocator-config";
import {
  ALLOCATOR_BUNDLE,
  ALLOCATOR_ENTRY,
  RUNTIME_NODE_MAJOR,
  allocatorBundleOptions,
} from "../../functions/build/bundle-config";
import { copyArgs, isIgnored, parseDockerfile } from "./dockerfile";
import { evaluateTemplate, loadTerraform, variableValues, type TerraformConfig } from "./terraform";

const REPO = join(__dirname, "..", "..");
const TF = join(REPO, "infra", "terraform");
const read = (path: string) => readFileSync(join(REPO, path), "utf8");

function filesUnder(dir: string, suffixes: string[]): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && suffixes.some((s) => e.name.endsWith(s)))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Every key some component reads: the allocator's table and the watcher's (the node agent takes flags). */
const KNOWN_KEYS = new Set([...ALLOCATOR_CONFIG_KEYS, ...WATCHER_CONFIG_KEYS].map((k) => k.key));

/** OCIPAM_ names in `text` that no code reads. */
function unknownKeys(text: string): string[] {
  const names = new Set([...text.matchAll(/\bOCIPAM_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]));
  return [...names].filter((n) => !KNOWN_KEYS.has(n)).sort();
}

/** Value of one entry of local.allocator_managed_config for the given variables (the shapes locals.tf uses). */
function configValue(expression: string, config: TerraformConfig, vars: Record<string, unknown>): unknown {
  const tags = /^\$\{join\(",", \[for k in sort\(keys\(var\.(\w+)\)\) : "\$\{k\}=\$\{var\.\1\[k\]\}"\]\)\}$/.exec(
    expression,
  );
  if (tags) {
    const map = (vars[tags[1]!] ?? {}) as Record<string, string>;
    return Object.keys(map)
      .sort()
      .map((k) => `${k}=${map[k]}`)
      .join(",");
  }
  return evaluateTemplate(expression, { config, vars });
}

async function exampleVariables(config: TerraformConfig): Promise<Record<string, unknown>> {
  const example = (await parseHcl(
    "terraform.tfvars.example",
    read("infra/terraform/terraform.tfvars.example"),
  )) as Record<string, unknown>;
  // The token is deliberately not in the example file; any base64 stands in for it.
  return variableValues(config, { ...example, kubernetes_token_base64: "dG9rZW4=" });
}

describe("func.yaml, Dockerfile, Terraform and Kubernetes manifests agree with the code", function () {
  this.timeout(30_000);
  let tf: TerraformConfig;
  before(async () => {
    tf = await loadTerraform(TF);
  });

  it(
    "func.yaml is a schema-20180708 docker-runtime function with the " +
      "Terraform function's name, memory and timeout",
    () => {
      const func = parseYaml(read("func.yaml")) as Record<string, unknown>;
      expect(func.schema_version).to.equal(20180708);
      expect(func.runtime).to.equal("docker");
      expect(func.version).to.match(/^\d+\.\d+\.\d+$/);
      const fn = tf.resources.oci_functions_function!.allocator!;
      expect(func.name).to.equal(fn.display_name);
      expect(func.memory).to.equal(tf.variables.function_memory_mb!.default);
      expect(func.timeout).to.equal(tf.variables.function_timeout_seconds!.default);
      // Configuration is tenancy-specific and owned by Terraform; func.yaml carries none (fn deploy would merge it in).
      expect(func).not.to.have.property("config");
    },
  );

  it(
    "the Dockerfile bundles on node:22 and runs only the bundle on the Fn " +
      "Node 22 image, as UID 1000, with node as entrypoint",
    () => {
      const stages = parseDockerfile(read("Dockerfile"));
      expect(stages).to.have.length(2);
      const [buildStage, run] = stages as [(typeof stages)[0], (typeof stages)[0]];
      expect(buildStage.from).to.equal(`node:${RUNTIME_NODE_MAJOR}`);
      // fnproject/cli langs/node.go: the run image of runtime node<v> is fnproject/node:<v>.
      expect(run.from).to.equal(`fnproject/node:${RUNTIME_NODE_MAJOR}`);

      const runs = buildStage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
      expect(runs[0]).to.match(/^npm ci\b/);
      expect(runs.some((r) => /^npm run bundle\b/.test(r))).to.equal(true);
      const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
      expect(pkg.scripts.bundle).to.equal("tsx functions/build/bundle.ts");
      const ciAt = buildStage.instructions.findIndex((i) => i.keyword === "RUN" && i.args.startsWith("npm ci"));
      const lockCopy = buildStage.instructions.findIndex(
        (i) => i.keyword === "COPY" && copyArgs(i.args).sources.includes("package-lock.json"),
      );
      expect(lockCopy).to.be.greaterThan(-1);
      expect(lockCopy).to.be.lessThan(ciAt);

      const workdir = buildStage.instructions.find((i) => i.keyword === "WORKDIR")!.args;
      const copies = run.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD");
      expect(copies).to.have.length(1);
      const copy = copyArgs(copies[0]!.args);
      expect(copies[0]!.keyword).to.equal("COPY");
      expect(copy.flags.from).to.equal(buildStage.name);
      expect(copy.sources).to.deep.equal([`${workdir}/${ALLOCATOR_BUNDLE}`]);

      const user = run.instructions.filter((i) => i.keyword === "USER").pop()?.args;
      // OCI Functions runs containers as fn, UID 1000 / GID 1000 (functionsrunningasunprivileged.htm).
      expect(user).to.equal("1000:1000");
      const entrypoint = JSON.parse(run.instructions.filter((i) => i.keyword === "ENTRYPOINT").pop()!.args) as string[];
      expect(entrypoint).to.deep.equal(["node", copy.dest]);
      expect(copy.dest).to.equal("/function/func.cjs");
    },
  );

  it(
    "the build stage copies every file the bundle is built from, and " + ".dockerignore keeps none of them out",
    async () => {
      const [buildStage] = parseDockerfile(read("Dockerfile"));
      const copied = buildStage!.instructions
        .filter((i) => i.keyword === "COPY")
        .flatMap((i) => copyArgs(i.args).sources);
      const dockerignore = read(".dockerignore");
      const result = await build({
        ...allocatorBundleOptions(REPO, join(REPO, ALLOCATOR_BUNDLE)),
        write: false,
        logLevel: "silent",
      });
      // "namespace:path" inputs are modules a build plugin generates (functions/build), not files to copy.
      const isCopiedFile = (p: string) => !p.split("/").includes("node_modules") && !/^[\w-]+:/.test(p);
      const inputs = Object.keys(result.metafile.inputs).filter(isCopiedFile);
      expect(inputs).to.include(ALLOCATOR_ENTRY);
      for (const input of [
        ...inputs,
        "package.json",
        "package-lock.json",
        "tsconfig.json",
        "functions/build/bundle.ts",
      ]) {
        expect(
          copied.some((src) => input === src || input.startsWith(`${src.replace(/\/$/, "")}/`)),
          `${input} is not copied into the build stage`,
        ).to.equal(true);
        expect(isIgnored(dockerignore, input), `${input} is excluded by .dockerignore`).to.equal(false);
      }
    },
  );

  it(
    ".dockerignore keeps Terraform state and variables, local credentials " +
      "and node_modules out of the build context",
    () => {
      const dockerignore = read(".dockerignore");
      for (const path of [
        "infra/terraform/terraform.tfvars",
        "infra/terraform/terraform.tfstate",
        "infra/terraform/terraform.tfstate.backup",
        "x/prod.tfvars.json",
        ".oci/config",
        "node_modules/oci-core/index.js",
        "lib/node_modules/x",
        ".git/HEAD",
        "dist/func.cjs",
      ]) {
        expect(isIgnored(dockerignore, path), path).to.equal(true);
      }
      expect(isIgnored(dockerignore, "lib/config/allocator-config.ts")).to.equal(false);
    },
  );

  it(
    "the other images built from the repository root (watcher, node agent) " +
      "copy nothing that .dockerignore excludes",
    () => {
      const dockerignore = read(".dockerignore");
      const dockerfiles = filesUnder(join(REPO, "infra"), ["Dockerfile"]);
      for (const file of dockerfiles) {
        for (const stage of parseDockerfile(readFileSync(file, "utf8"))) {
          for (const ins of stage.instructions.filter(
            (i) => (i.keyword === "COPY" || i.keyword === "ADD") && !/--from=/.test(i.args),
          )) {
            for (const src of copyArgs(ins.args).sources) {
              expect(
                isIgnored(dockerignore, src.replace(/^\.\//, "").replace(/\/$/, "")),
                `${relative(REPO, file)} copies ${src}`,
              ).to.equal(false);
            }
          }
        }
      }
    },
  );

  it(
    "Terraform outputs every setting the watcher requires and Terraform " +
      "knows (cluster name, stream OCID, messages endpoint)",
    () => {
      const value = tf.outputs.watcher_settings!.value as Record<string, string>;
      const required = WATCHER_CONFIG_KEYS.filter((k) => k.required).map((k) => k.key);
      expect(Object.keys(value).sort()).to.deep.equal([...required].sort());
      expect(value.OCIPAM_WATCHER_CLUSTER_NAME).to.equal("${var.cluster_name}");
      expect(value.OCIPAM_WATCHER_STREAM_ENDPOINT).to.equal("${oci_streaming_stream.nudges.messages_endpoint}");
    },
  );

  it(
    "names no OCIPAM_ key that the code does not read, in Terraform, " + "func.yaml, Dockerfile, manifests or docs",
    async () => {
      const documents: Array<[string, string]> = [
        ["infra/terraform (parsed)", JSON.stringify(tf.parsed)],
        ["infra/terraform/terraform.tfvars.example", read("infra/terraform/terraform.tfvars.example")],
        ["func.yaml", read("func.yaml")],
        ["Dockerfile", read("Dockerfile")],
        ...filesUnder(join(REPO, "infra"), [".yaml", ".yml", ".md"]).map((f): [string, string] => [
          relative(REPO, f),
          readFileSync(f, "utf8"),
        ]),
      ];
      for (const [name, text] of documents) expect(unknownKeys(text), name).to.deep.equal([]);
      // The check itself catches a typo.
      expect(
        unknownKeys('config = { OCIPAM_SUBNET_ID = "x", OCIPAM_SUBNET_IDS = "y", OCIPAM_WATCHER_STREAM = "z" }'),
      ).to.deep.equal(["OCIPAM_SUBNET_ID", "OCIPAM_WATCHER_STREAM"]);
    },
  );

  it(
    "Terraform's function configuration, from the example variables, is " +
      "accepted by the allocator's loader and never holds the token",
    async () => {
      const vars = await exampleVariables(tf);
      const managed = tf.locals.allocator_managed_config as Record<string, string>;
      const values: Record<string, string> = {};
      for (const [key, expression] of Object.entries(managed)) {
        const v = configValue(expression, tf, vars);
        if (v !== null && v !== undefined && v !== "") values[key] = String(v);
      }
      for (const k of ALLOCATOR_CONFIG_KEYS.filter((k) => k.required))
        expect(values, `Terraform must set ${k.key}`).to.have.property(k.key);
      expect(values).not.to.have.property("OCIPAM_KUBE_TOKEN");
      const config = loadAllocatorConfig(values);
      expect(config.oci.auth).to.equal("resource_principal");
      expect(config.kube.auth).to.equal("vault");
      expect(config.kube.tokenSecretId).to.equal("ocid1.tf.oci_vault_secret.kube_token");
      expect(config.kube.caCertPem).to.contain("-----BEGIN CERTIFICATE-----");
      expect(config.planner.subnetIds).to.deep.equal(vars.pod_subnet_ids);
      expect(config.useBulkCreate).to.equal(false);
      // The function gets the map through local.allocator_config, which drops null/empty values and adds extras.
      expect(tf.resources.oci_functions_function!.allocator!.config).to.equal("${local.allocator_config}");
    },
  );

  it("the Events rules match exactly the compute event types the function decodes", () => {
    const variable = tf.variables.instance_event_types!;
    const condition = (variable.validation as Array<{ condition: string }>)[0]!.condition;
    const listed = [...condition.matchAll(/"(com\.oraclecloud\.[a-z.]+)"/g)].map((m) => m[1]);
    expect([...listed].sort()).to.deep.equal([...SUPPORTED_OCI_EVENT_TYPES].sort());
    for (const t of variable.default as string[]) expect(SUPPORTED_OCI_EVENT_TYPES as readonly string[]).to.include(t);
  });

  it("Terraform, the code and the manifests name the same namespace, ServiceAccounts and token Secret", () => {
    const ns = parseYaml(read("infra/kubernetes/namespace.yaml")) as { metadata: { name: string } };
    expect(tf.variables.kubernetes_namespace!.default).to.equal(ns.metadata.name);
    expect(ALLOCATOR_CONFIG_KEYS.find((k) => k.key === "OCIPAM_NAMESPACE")!.default).to.equal(ns.metadata.name);
    const objects = filesUnder(join(REPO, "infra", "kubernetes", "rbac"), [".yaml"]).flatMap((f) =>
      parseAllDocuments(readFileSync(f, "utf8")).map(
        (d) =>
          d.toJS() as {
            kind: string;
            metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
            type?: string;
          },
      ),
    );
    const accounts = objects.filter((o) => o?.kind === "ServiceAccount").map((o) => o.metadata.name);
    expect(accounts).to.include.members(["ocipam-watcher", "ocipam-allocator"]);
    // infra/README.md and the kubernetes_token_base64 description read this Secret's .data.token.
    const token = objects.find((o) => o?.kind === "Secret" && o.metadata.name === "ocipam-allocator-token");
    expect(token?.type).to.equal("kubernetes.io/service-account-token");
    expect(token?.metadata.namespace).to.equal(ns.metadata.name);
    expect(token?.metadata.annotations?.["kubernetes.io/service-account.name"]).to.equal("ocipam-allocator");
    expect(String(tf.variables.kubernetes_token_base64!.description)).to.contain(
      "get secret ocipam-allocator-token -o jsonpath='{.data.token}'",
    );
  });

  it(
    "every variable has a description and a type, every output a " + "description, and secrets are marked sensitive",
    () => {
      for (const [name, v] of Object.entries(tf.variables)) {
        expect(v.description, `variable ${name}`).to.be.a("string").and.not.equal("");
        expect(v.type, `variable ${name}`).to.be.a("string");
      }
      for (const [name, o] of Object.entries(tf.outputs))
        expect(o.description, `output ${name}`).to.be.a("string").and.not.equal("");
      expect(tf.variables.kubernetes_token_base64!.sensitive).to.equal(true);
      // Terraform's cluster-name rule is the loader's: what Terraform accepts, the function accepts.
      const rule = new RegExp(
        /regex\("(.+)", var\.cluster_name\)/
          .exec(String((tf.variables.cluster_name!.validation as Array<{ condition: string }>)[0]!.condition))![1]!
          .replace(/\\\\/g, "\\"),
      );
      for (const name of ["prod-1", "a", "x.y_z", "-bad", "bad-", "a".repeat(64)]) {
        let loads = true;
        try {
          loadAllocatorConfig({
            OCIPAM_CLUSTER_NAME: name,
            OCIPAM_COMPARTMENT_IDS: "ocid1.compartment.oc1..c",
            OCIPAM_VCN_ID: "ocid1.vcn.oc1..v",
            OCIPAM_KUBE_AUTH: "kubeconfig",
            OCIPAM_KUBECONFIG: "/k",
          });
        } catch {
          loads = false;
        }
        expect(rule.test(name), name).to.equal(loads);
      }
    },
  );
});
