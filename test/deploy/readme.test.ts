import { parse as parseHcl } from "@cdktf/hcl2json";
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { renderConfigReference, replaceBetweenMarkers } from "../../functions/build/config-reference";
import { loadTerraform, type TerraformConfig } from "./terraform";

const REPO = join(__dirname, "..", "..");
const README = readFileSync(join(REPO, "infra", "README.md"), "utf8");

function sourcesUnder(dirs: string[]): string {
  return dirs
    .flatMap((d) =>
      readdirSync(join(REPO, d), { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && e.name.endsWith(".ts"))
        .map((e) => join(e.parentPath, e.name)),
    )
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
}

describe("infra/README.md, the operator's guide", function () {
  this.timeout(30_000);
  let tf: TerraformConfig;
  before(async () => {
    tf = await loadTerraform(join(REPO, "infra", "terraform"));
  });

  it("carries the configuration reference generated from ALLOCATOR_CONFIG_KEYS and locals.tf, up to date", async () => {
    const table = await renderConfigReference(REPO);
    expect(replaceBetweenMarkers(README, table)).to.equal(README);
    expect(() => replaceBetweenMarkers("no markers here", table)).to.throw(/markers/);
  });

  it(
    "names only Terraform outputs and variables that exist, and the " + "example tfvars only declared variables",
    async () => {
      const outputs = new Set(
        [...README.matchAll(/terraform (?:-chdir=\S+ )?output (?:-raw |-json )?([a-z_]+)/g)].map((m) => m[1]!),
      );
      const listed = /Outputs: (.+?)\.\n\n/s
        .exec(README)![1]!
        .match(/`([a-z_]+)`/g)!
        .map((s) => s.slice(1, -1));
      for (const o of [...outputs, ...listed]) expect(tf.outputs, `output ${o}`).to.have.property(o);
      expect([...listed].sort()).to.deep.equal(Object.keys(tf.outputs).sort());
      for (const m of README.matchAll(/-var "([a-z_]+)=/g))
        expect(tf.variables, `variable ${m[1]}`).to.have.property(m[1]!);
      const example = (await parseHcl(
        "terraform.tfvars.example",
        readFileSync(join(REPO, "infra", "terraform", "terraform.tfvars.example"), "utf8"),
      )) as Record<string, unknown>;
      for (const name of Object.keys(example))
        expect(tf.variables, `terraform.tfvars.example sets ${name}`).to.have.property(name);
    },
  );

  it("names only repository paths that exist", () => {
    const paths = new Set(
      [...README.matchAll(/(?<![\w/.-])((?:infra|functions|lib|events|test)\/[\w./-]*[\w-])/g)].map((m) => m[1]!),
    );
    expect(paths.size).to.be.greaterThan(10);
    for (const p of paths) expect(existsSync(join(REPO, p)), p).to.equal(true);
  });

  it(
    "gives symptom, OCI Logging query, cause and fix for throttling, " +
      "subnet exhaustion, the VNIC limit, permissions, Kubernetes auth and " +
      "stream lag",
    () => {
      const section = README.slice(README.indexOf("## Troubleshooting"), README.indexOf("## Limits"));
      for (const topic of [
        "Throttling",
        "Subnet exhausted",
        "VNIC limit",
        "Permission denied",
        "Kubernetes authentication",
        "Stream lag",
      ]) {
        const start = section.indexOf(`**${topic}.**`);
        expect(start, topic).to.be.greaterThan(-1);
        const entry = section.slice(start, section.indexOf("\n\n", start));
        for (const part of ["Symptom", "Query:", "Cause", "Fix"]) expect(entry, `${topic}: ${part}`).to.contain(part);
        expect(entry, `${topic}: a data.message query`).to.match(/data\.message\.\w+ = /);
      }
    },
  );

  it("queries only log fields the code writes and reasons the code produces", () => {
    const code = sourcesUnder(["lib", "functions", "events"]);
    const fields = new Set([...README.matchAll(/data\.message\.(\w+)/g)].map((m) => m[1]!));
    for (const f of fields) {
      // pino writes `msg` (messageKey) and `level` itself (lib/log.ts); the rest are explicit fields of log calls.
      const written =
        f === "msg" || f === "level"
          ? /messageKey: "msg"/.test(code) && /level: label/.test(code)
          : new RegExp(`[{,]\\s*${f}[:,}]`).test(code);
      expect(written, `log field ${f}`).to.equal(true);
    }
    const reasons = new Set([...README.matchAll(/reason = '(\w+)'/g)].map((m) => m[1]!));
    expect(reasons.size).to.be.greaterThan(5);
    for (const r of reasons) {
      // OciApiError builds `Oci<serviceCode>` and KubeApiError `Kube<Status reason>` (lib/ports/*-errors.ts).
      const built = /^Oci(LimitExceeded)$/.test(r)
        ? code.includes("`Oci${serviceCode}`")
        : /^Kube(Unauthorized|Forbidden)$/.test(r)
          ? code.includes("`Kube${details.statusReason}`")
          : false;
      expect(built || code.includes(`"${r}"`), `reason ${r}`).to.equal(true);
    }
  });
});
