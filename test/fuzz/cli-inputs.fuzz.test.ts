import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLED_EXAMPLE } from "../../lib/cli/commands/plan";
import { buildProgram } from "../../lib/cli/main";
import { ALLOCATOR_CONFIG_KEYS, loadAllocatorConfig } from "../../lib/config/allocator-config";
import { parseConfigText, readConfigFile } from "../../lib/config/config-file";
import { planNode } from "../../lib/core/planner";
import { ConfigError, InvalidInputError } from "../../lib/errors";
import { explainPlan } from "../../lib/plan/explain";
import { parseObservedState } from "../../lib/plan/read-observed";
import { caught } from "../support/capture";
import { Hostile, INJECTIONS, MALFORMED_JSON, ODD_UNICODE, pointer, prng, WRONG_TYPES, withField } from "./hostile";

/**
 * The command line's input files, fuzzed: `ocipam plan --input` (observed-state JSON) and `--config` (KEY=value lines
 * of allocator configuration). A bad file must be refused with a typed error naming the file and what is wrong in it;
 * a file that passes validation must never make the planner throw.
 */

const example = () => JSON.parse(readFileSync(BUNDLED_EXAMPLE, "utf8")) as Record<string, unknown>;

/** Every path of a JSON value (objects and arrays walked), the root excluded. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== "object") return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

function valueAt(doc: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((at, k) => (at as Record<string, unknown>)[k], doc);
}

/**
 * A mutation of one place of the document: a hostile value, a deletion, an unknown key, a boundary number, a duplicate,
 * a renamed map key.
 */
function mutate(h: Hostile, doc: Record<string, unknown>): { doc: unknown; path: string[]; what: string } {
  const paths = pathsOf(doc);
  const path = h.pick(paths);
  const current = valueAt(doc, path);
  const parent = valueAt(doc, path.slice(0, -1));
  switch (h.int(0, 5)) {
    case 0: {
      const v = h.value();
      return { doc: withField(doc, path, v), path, what: `${pointer(path)} = ${JSON.stringify(v)?.slice(0, 60)}` };
    }
    case 1:
      if (Array.isArray(parent))
        return {
          doc: withField(
            doc,
            path.slice(0, -1),
            parent.filter((_, i) => String(i) !== path[path.length - 1]),
          ),
          path: path.slice(0, -1),
          what: `${pointer(path)} removed`,
        };
      return { doc: withField(doc, path, undefined, true), path, what: `${pointer(path)} deleted` };
    case 2: {
      const target =
        current !== null && typeof current === "object" && !Array.isArray(current) ? path : path.slice(0, -1);
      const name = h.chance(0.5) ? h.pick([...INJECTIONS, ...ODD_UNICODE]) : "unexpected";
      return {
        doc: withField(doc, [...target, name], h.value()),
        path: [...target, name],
        what: `unknown key ${JSON.stringify(name)} under ${pointer(target)}`,
      };
    }
    case 3: {
      const v = h.pick([0, -1, 1, 255, 256, 257, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e21, 1e300, 0.5, -0]);
      return { doc: withField(doc, path, v), path, what: `${pointer(path)} = ${v}` };
    }
    case 4: {
      if (!Array.isArray(current) || current.length === 0) return mutate(h, doc);
      const copy = [...current, ...current.slice(0, h.int(1, current.length))];
      return { doc: withField(doc, path, copy), path, what: `${pointer(path)} with duplicated entries` };
    }
    default: {
      // A map key (pool, used, tags) renamed to something hostile or odd.
      if (
        current === null ||
        typeof current !== "object" ||
        Array.isArray(current) ||
        Object.keys(current).length === 0
      )
        return mutate(h, doc);
      const [k, v] = Object.entries(current)[0]!;
      const name = h.pick([
        "10.0.1.999",
        "::1",
        "010.0.1.10",
        "10.0.1.10 ",
        h.string(),
        "__proto__",
        "0.0.0.0",
        "255.255.255.255",
      ]);
      const renamed = { ...Object.fromEntries(Object.entries(current).filter(([x]) => x !== k)) };
      Object.defineProperty(renamed, name, { value: v, enumerable: true, writable: true, configurable: true });
      return {
        doc: withField(doc, path, renamed),
        path: [...path, name],
        what: `key ${JSON.stringify(k)} of ${pointer(path)} renamed to ${JSON.stringify(name)}`,
      };
    }
  }
}

function finiteStats(stats: Record<string, unknown>): boolean {
  return Object.values(stats).every((v) => typeof v !== "number" || (Number.isFinite(v) && v >= 0));
}

describe("fuzzing `ocipam plan --input` files", function () {
  this.timeout(60_000);

  it("refuses text that is not JSON with an InvalidInputError naming the file", () => {
    const h = new Hostile(prng(11));
    const texts = [...MALFORMED_JSON, ...Array.from({ length: 100 }, () => h.randomCodeUnits(80))];
    for (const [i, text] of texts.entries()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        expect(() => parseObservedState(text, "in.json"), `text ${i}`).to.throw(
          InvalidInputError,
          /^in\.json: is not valid JSON/,
        );
        continue;
      }
      // Valid JSON that is not an observed state (a number, a string): refused at the document's root.
      expect(() => parseObservedState(text, "in.json"), `text ${i}: ${JSON.stringify(parsed)?.slice(0, 40)}`).to.throw(
        InvalidInputError,
        /^in\.json#\//,
      );
    }
  });

  it("refuses a mutated document with an error pointing at the mutated field, or plans it without throwing", () => {
    const h = new Hostile(prng(12));
    let refused = 0;
    let planned = 0;
    for (let i = 0; i < 1500; i++) {
      const { doc, path, what } = mutate(h, example());
      const context = `seed 12 case ${i}: ${what}`;
      let state: ReturnType<typeof parseObservedState>;
      try {
        state = parseObservedState(JSON.stringify(doc), "in.json");
      } catch (err) {
        expect(err, context).to.be.instanceOf(InvalidInputError);
        const field = (err as InvalidInputError).field;
        expect(field, context).to.match(/^in\.json#\//);
        const at = field.slice("in.json#".length);
        const mutated = pointer(path);
        const parentOfMutated = pointer(path.slice(0, -1));
        // The error names the mutated place, one of its ancestors (a required field missing there, a type), or a
        // child of its parent (a key renamed or added).
        const related =
          at === "/" ||
          mutated === at ||
          mutated.startsWith(`${at}/`) ||
          at.startsWith(`${parentOfMutated}/`) ||
          at === parentOfMutated;
        expect(related, `${context}: error at ${at}`).to.equal(true);
        refused++;
        continue;
      }
      const plan = planNode(state);
      expect(
        finiteStats(plan.stats as unknown as Record<string, unknown>),
        `${context}: ${JSON.stringify(plan.stats)}`,
      ).to.equal(true);
      for (const action of plan.actions as unknown as Array<Record<string, unknown>>) {
        for (const [k, v] of Object.entries(action))
          if (typeof v === "number")
            expect(Number.isFinite(v) && v >= 0, `${context}: ${action.kind}.${k} = ${v}`).to.equal(true);
      }
      expect(explainPlan(plan), context).to.be.a("string");
      planned++;
    }
    expect(refused).to.be.greaterThan(500);
    expect(planned).to.be.greaterThan(100);
  });

  it(
    "refuses a hostile file through the command itself, naming the file " + "and the field, and plans a good one",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "ocipam-fuzz-plan-"));
      const out: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      try {
        const bad = join(dir, "bad.json");
        writeFileSync(bad, JSON.stringify(withField(example(), ["ciliumNode", "name"], "$(rm -rf /)")));
        await expectRejection(
          buildProgram().exitOverride().parseAsync(["node", "ocipam", "plan", "--input", bad]),
          `${bad}#/ciliumNode/name`,
        );
        await expectRejection(
          buildProgram()
            .exitOverride()
            .parseAsync(["node", "ocipam", "plan", "--input", join(dir, "missing.json")]),
          "cannot read --input",
        );
        const binary = join(dir, "binary.json");
        writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x00, 0x01]));
        await expectRejection(
          buildProgram().exitOverride().parseAsync(["node", "ocipam", "plan", "--input", binary]),
          `${binary}: is not valid JSON`,
        );
        (process.stdout as { write: unknown }).write = (chunk: string) => out.push(String(chunk));
        await buildProgram().exitOverride().parseAsync(["node", "ocipam", "plan", "--input", BUNDLED_EXAMPLE]);
      } finally {
        (process.stdout as { write: unknown }).write = write;
        rmSync(dir, { recursive: true, force: true });
      }
      expect(JSON.parse(out.join("")).actions).to.be.an("array");
    },
  );
});

async function expectRejection(promise: Promise<unknown>, text: string): Promise<void> {
  expect((await caught(() => promise, `a rejection mentioning ${text}`)).message).to.contain(text);
}

/**
 * A line parseConfigText accepts, by its grammar: blank, # comment, or [export] KEY=value where the value holds no
 * line terminator (a lone CR, U+2028 or U+2029 inside a value makes the line malformed: it is refused, not misread).
 */
function acceptedLine(raw: string): boolean {
  const line = raw.trim();
  return (
    line === "" || line.startsWith("#") || /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=[^\r\n\u2028\u2029]*$/.test(line)
  );
}

const BASE_CONFIG: Record<string, string> = {
  OCIPAM_CLUSTER_NAME: "prod",
  OCIPAM_COMPARTMENT_IDS: "ocid1.compartment.oc1..aaaa",
  OCIPAM_VCN_ID: "ocid1.vcn.oc1.iad.aaaa",
  OCIPAM_KUBE_AUTH: "token",
  OCIPAM_KUBE_API_SERVER: "https://10.0.0.5:6443",
  OCIPAM_KUBE_TOKEN: "t",
};

describe("fuzzing `--config` files", function () {
  this.timeout(60_000);

  it("reads the KEY=value lines it documents and refuses the first other line with its line number", () => {
    const h = new Hostile(prng(21));
    const lineKinds = [
      () => `OCIPAM_${h.pick(ALLOCATOR_CONFIG_KEYS).key.slice(7)}=${h.string()}`,
      () => `export OCIPAM_LOG_LEVEL="${h.string()}"`,
      () => `# ${h.string()}`,
      () => "",
      () => h.string(),
      () => `${h.string()}=${h.string()}`,
      () => `KEY = '${h.string()}'`,
      () => "=value",
      () => "1KEY=x",
    ];
    for (let i = 0; i < 1000; i++) {
      const lines = Array.from({ length: h.int(1, 8) }, () => h.pick(lineKinds)());
      const text = lines.join(h.chance(0.3) ? "\r\n" : "\n");
      const physical = text.split(/\r?\n/);
      const firstBad = physical.findIndex((l) => !acceptedLine(l));
      const context = `seed 21 case ${i}: ${JSON.stringify(text).slice(0, 120)}`;
      if (firstBad < 0) {
        const values = parseConfigText(text, "f.env");
        for (const v of Object.values(values)) expect(v, context).to.be.a("string");
        continue;
      }
      try {
        parseConfigText(text, "f.env");
      } catch (err) {
        expect(err, context).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).key, context).to.equal(`f.env:${firstBad + 1}`);
        // The echo of the bad line is cut short: a huge line never becomes a huge error.
        expect((err as ConfigError).message.length, context).to.be.lessThan(200);
        continue;
      }
      throw new Error(`${context}: line ${firstBad + 1} should have been refused`);
    }
  });

  it("refuses a hostile value of any key with a ConfigError naming that key, never another kind of error", () => {
    const h = new Hostile(prng(22));
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const key = h.chance(0.95)
        ? h.pick(ALLOCATOR_CONFIG_KEYS).key
        : `OCIPAM_${h.pick(["TYPO", "CLUSTER", "LOG_LEVELL"])}`;
      const raw = h.chance(0.7) ? h.string() : String(h.pick(WRONG_TYPES.map((w) => JSON.stringify(w))));
      const values = { ...BASE_CONFIG, [key]: raw };
      const context = `seed 22 case ${i}: ${key}=${JSON.stringify(raw).slice(0, 60)}`;
      try {
        loadAllocatorConfig(values);
      } catch (err) {
        expect(err, `${context}: ${(err as Error).message}`).to.be.instanceOf(ConfigError);
        const named = (err as ConfigError).key;
        // The key at fault is the one changed, or one that it made required (auth kinds need their own keys; prewarm
        // on needs its instance tag filters).
        const madeRequired =
          /^OCIPAM_(KUBE|KUBECONFIG|OKE)/.test(named) ||
          (key === "OCIPAM_PREWARM_ON_LAUNCH" && named === "OCIPAM_PREWARM_INSTANCE_TAGS");
        expect(named === key || madeRequired, `${context}: named ${named}`).to.equal(true);
        refused++;
      }
    }
    expect(refused).to.be.greaterThan(500);
  });

  it("refuses a config file that cannot be read, naming --config", () => {
    const dir = mkdtempSync(join(tmpdir(), "ocipam-fuzz-config-"));
    try {
      expect(() => readConfigFile(join(dir, "missing.env"))).to.throw(ConfigError, /--config: cannot read .*ENOENT/);
      expect(() => readConfigFile(dir)).to.throw(ConfigError, /--config: cannot read .*EISDIR/);
      const file = join(dir, "bad.env");
      writeFileSync(file, "OCIPAM_CLUSTER_NAME=prod\n$(reboot)\n");
      expect(() => readConfigFile(file)).to.throw(
        ConfigError,
        new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
