/**
 * Regenerates test/deploy/provider-schema/oci-provider-schema.json: the schema of the oracle/oci Terraform provider
 * for the resource types infra/terraform uses, read from the provider's own source at every release tag, so that
 * each attribute and block carries the first release from which it has been present without a gap.
 *
 *   git clone https://github.com/oracle/terraform-provider-oci /tmp/tpo     # full history with tags
 *   npx tsx test/deploy/provider-schema/extract.ts /tmp/tpo [--to v8.28.0] [--from v4.0.0] [--also oci_x,oci_y]
 *
 * Sources per tag: internal/service/<service>/<name>_resource.go (v4.60.0 and later) or oci/<name>_resource.go
 * (before), function `<CamelName>Resource()`; parsed by go-schema.ts. Tags are the releases vX.Y.Z from `--from` to
 * `--to`; a field found in the first scanned tag is reported as introduced "in --from or earlier".
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTerraform } from "../terraform";
import { parseResource, type GoField, type GoResource, type Mode } from "./go-schema";
import { compareVersions, type ProviderSchema, type SchemaField } from "./schema-types";

const REPO = join(__dirname, "..", "..", "..");
const OUT = join(__dirname, "oci-provider-schema.json");
const UPSTREAM = "github.com/oracle/terraform-provider-oci";
/** How each field names where it was read: `<repo>:<path>@<tag>`. */
const REPO_NAME = "oracle/terraform-provider-oci";

function git(dir: string, args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

const camel = (resourceType: string) =>
  resourceType
    .replace(/^oci_/, "")
    .split("_")
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("") + "Resource";

/** Path of the resource's source file at `tag`, or undefined if the resource does not exist there. */
function sourcePath(files: string[], resourceType: string): string | undefined {
  const file = `${resourceType.replace(/^oci_/, "")}_resource.go`;
  return (
    files.find((f) => f.startsWith("internal/service/") && f.endsWith(`/${file}`)) ??
    files.find((f) => f === `oci/${file}`)
  );
}

interface Seen {
  tag: string;
  path: string;
  field: GoField;
}

/** Field path → its appearance in each scanned tag (in tag order). */
type History = Map<string, Array<Seen | undefined>>;

function record(
  history: History,
  index: number,
  total: number,
  prefix: string,
  fields: Record<string, GoField>,
  tag: string,
  path: string,
) {
  for (const [name, field] of Object.entries(fields)) {
    const key = prefix + name;
    if (!history.has(key)) history.set(key, new Array(total).fill(undefined));
    history.get(key)![index] = { tag, path, field };
    if (field.block) record(history, index, total, `${key}.`, field.block, tag, path);
  }
}

/** The last gap-free run of presence up to the newest tag: its first appearance, and mode changes within it. */
function since(
  seen: Array<Seen | undefined>,
): { first: Seen; modes: Array<{ since: string; mode: Mode }> } | undefined {
  const last = seen.length - 1;
  if (!seen[last]) return undefined;
  let i = last;
  while (i > 0 && seen[i - 1]) i--;
  const modes: Array<{ since: string; mode: Mode }> = [];
  for (let j = i; j <= last; j++) {
    const s = seen[j]!;
    if (modes.length === 0 || modes[modes.length - 1]!.mode !== s.field.mode)
      modes.push({ since: s.tag, mode: s.field.mode });
  }
  return { first: seen[i]!, modes };
}

function build(
  history: History,
  prefix: string,
  latest: Record<string, GoField>,
  from: string,
): Record<string, SchemaField> {
  const out: Record<string, SchemaField> = {};
  for (const [name, field] of Object.entries(latest).sort(([a], [b]) => a.localeCompare(b))) {
    const key = prefix + name;
    const run = since(history.get(key)!)!;
    const { block, ...rest } = field;
    const entry: SchemaField = {
      kind: block ? "block" : "attribute",
      ...rest,
      introduced: run.first.tag,
      ...(run.first.tag === from ? { introducedOrEarlier: true } : {}),
      source: `${REPO_NAME}:${run.first.path}@${run.first.tag}`,
    };
    if (run.modes.length > 1) entry.modeHistory = run.modes;
    if (block) entry.fields = build(history, `${key}.`, block, from);
    out[name] = entry;
  }
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  const clone = args.find((a) => !a.startsWith("--"));
  if (!clone)
    throw new Error("usage: extract.ts <clone of oracle/terraform-provider-oci> [--from vX] [--to vY] [--also a,b]");
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const from = opt("--from") ?? "v4.0.0";
  const tags = git(clone, ["tag", "--list", "v*"])
    .split("\n")
    .filter((t) => /^v\d+\.\d+\.\d+$/.test(t))
    .sort(compareVersions);
  const to = opt("--to") ?? tags[tags.length - 1]!;
  const scanned = tags.filter((t) => compareVersions(t, from) >= 0 && compareVersions(t, to) <= 0);

  const tf = await loadTerraform(join(REPO, "infra", "terraform"));
  const dataSources = Object.values(tf.parsed).flatMap((p) =>
    Object.keys(((p as Record<string, unknown>).data ?? {}) as object),
  );
  if (dataSources.length > 0)
    throw new Error(`data sources are not supported by this extractor yet: ${dataSources.join(", ")}`);
  const types = [...new Set([...Object.keys(tf.resources), ...(opt("--also")?.split(",") ?? [])])].sort();

  const schema: ProviderSchema = {
    provider: "oracle/oci",
    upstream: UPSTREAM,
    schemaTag: to,
    scannedFrom: from,
    scannedTags: scanned.length,
    generatedBy: "test/deploy/provider-schema/extract.ts",
    note:
      "introduced = first release of the last gap-free run of releases holding the field up to schemaTag; " +
      "source = <repository>:<path>@<tag>",
    resources: {},
  };
  for (const type of types) {
    const history: History = new Map();
    let latest: GoResource | undefined;
    let latestPath = "";
    const presentAt: Array<Seen | undefined> = new Array(scanned.length).fill(undefined);
    scanned.forEach((tag, index) => {
      const files = git(clone, ["ls-tree", "-r", "--name-only", tag, "--", "internal/service", "oci"]).split("\n");
      const path = sourcePath(files, type);
      if (!path) return;
      const res = parseResource(git(clone, ["show", `${tag}:${path}`]), camel(type));
      record(history, index, scanned.length, "", res.fields, tag, path);
      presentAt[index] = { tag, path, field: { type: "resource", mode: "required" } };
      if (tag === to) {
        latest = res;
        latestPath = path;
      }
    });
    if (!latest) throw new Error(`${type} does not exist in ${to}`);
    const resourceSince = since(presentAt);
    schema.resources[type] = {
      source: `${REPO_NAME}:${latestPath}@${to}`,
      introduced: resourceSince!.first.tag,
      timeouts: latest.timeouts,
      fields: build(history, "", latest.fields, from),
    };
    process.stderr.write(
      `${type}: in ${presentAt.filter(Boolean).length} of ${scanned.length} tags, ` +
        `${Object.keys(latest.fields).length} top-level fields\n`,
    );
  }
  writeFileSync(OUT, `${JSON.stringify(schema, null, 1)}\n`);
  process.stderr.write(`wrote ${OUT}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
