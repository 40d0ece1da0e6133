import { expect } from "chai";
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildNudge, createEventValidators, type EventValidators } from "../../events/contracts";
import {
  AJV_FORMATS,
  AJV_OPTIONS,
  importedSchemaFiles,
  precompiledValidatorsPlugin,
} from "../../functions/build/precompiled-validators";

const REPO = resolve(__dirname, "..", "..");

describe("event validators compiled at build time (bundle)", function () {
  this.timeout(30_000);
  let dir: string;
  let precompiled: EventValidators;
  const runtime = createEventValidators();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ocipam-validators-"));
    const entry = join(dir, "entry.ts");
    const contracts = join(REPO, "events", "contracts");
    await writeFile(entry, `export { createEventValidators } from ${JSON.stringify(contracts)};\n`);
    const outfile = join(dir, "out.cjs");
    const plugins = [precompiledValidatorsPlugin(REPO)];
    const opts = { entryPoints: [entry], outfile, bundle: true, platform: "node" as const, format: "cjs" as const };
    const result = await build({ ...opts, absWorkingDir: REPO, plugins, metafile: true, logLevel: "silent" });
    expect(Object.keys(result.metafile.inputs).some((p) => p.includes("node_modules/ajv/dist/core.js"))).to.equal(
      false,
      "the ajv compiler is not bundled",
    );
    precompiled = (require(outfile) as { createEventValidators(): EventValidators }).createEventValidators();
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the schema files validators.ts imports", () => {
    expect(importedSchemaFiles(REPO).map((f) => f.replace(/^.*\//, ""))).to.have.members([
      "nudge.schema.json",
      "connector-hub-batch.schema.json",
      "oci-compute-instance-event.schema.json",
    ]);
  });

  const nudge = buildNudge({ type: "io.ocipam.node.needs-addresses", cluster: "c1", node: "worker-1" });
  const rows: Array<{ name: string; validator: keyof EventValidators; input: unknown }> = [
    { name: "a valid nudge", validator: "nudge", input: nudge },
    { name: "a nudge without id", validator: "nudge", input: { ...nudge, id: undefined } },
    { name: "a nudge with an unknown property", validator: "nudge", input: { ...nudge, extra: 1 } },
    { name: "a nudge with a bad time", validator: "nudge", input: { ...nudge, time: "yesterday" } },
    { name: "a nudge of another type", validator: "nudge", input: { ...nudge, type: "io.ocipam.node.other" } },
    { name: "an empty batch", validator: "connectorHubBatch", input: [] },
    { name: "a batch of one odd message", validator: "connectorHubBatch", input: [{ stream: 1 }] },
    { name: "a string as an OCI event", validator: "ociEventEnvelope", input: "event" },
    { name: "an OCI event without data", validator: "ociEventEnvelope", input: { cloudEventsVersion: "0.1" } },
    { name: "an instance event without data", validator: "ociComputeInstanceEvent", input: { eventType: "x" } },
  ];
  for (const row of rows) {
    it(`gives the same verdict and errors as ajv at run time for ${row.name}`, () => {
      const a = runtime[row.validator] as (x: unknown) => boolean;
      const b = precompiled[row.validator] as (x: unknown) => boolean;
      const input = JSON.parse(JSON.stringify(row.input ?? null)) as unknown;
      expect(b(input)).to.equal(a(input));
      expect((b as unknown as { errors: unknown }).errors).to.deep.equal((a as unknown as { errors: unknown }).errors);
    });
  }

  it("is compiled with the options and formats validators.ts passes (the stand-ins refuse others at run time)", () => {
    const source = readFileSync(join(REPO, "events", "contracts", "validators.ts"), "utf8");
    const options = /new Ajv\((\{[^}]*\})\)/.exec(source)?.[1];
    const formats = /addFormats\(ajv, (\[[^\]]*\])\)/.exec(source)?.[1];
    const asJson = (literal: string) => JSON.parse(literal.replace(/(\w+):/g, '"$1":')) as unknown;
    expect(asJson(options!)).to.deep.equal(AJV_OPTIONS);
    expect(JSON.parse(formats!)).to.deep.equal(AJV_FORMATS);
  });
});
