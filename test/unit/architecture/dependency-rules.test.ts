import { expect } from "chai";
import { join } from "node:path";
import { type ImportEdge, importsOf, sourceFiles, within } from "./import-graph";

/**
 * The project's layering, checked on the import graph of every product and testbed source file:
 * - the pure core imports nothing with I/O (only itself and pure libraries);
 * - the ports speak only the project's own types;
 * - only adapters import the SDKs and clients (oci-*, @kubernetes/client-node), and only the function's runtime files
 *   the FDK;
 * - the product never imports the testbed (emulators, local pipeline, the emulator's IAM evaluator), except the CLI's
 *   developer commands that run them.
 */
const REPO = join(__dirname, "..", "..", "..");
const FILES = sourceFiles(REPO, ["lib", "functions", "events"]);
const EDGES: ImportEdge[] = FILES.flatMap((f) => importsOf(REPO, f));

const TESTBED = ["lib/testbed"];
const isTestbed = (path: string) => TESTBED.some((t) => within(path, t));
const SDK = /^(oci-[a-z]+|@kubernetes\/client-node)(\/|$)/;
const FDK = /^@fnproject\/fdk(\/|$)/;
/** Where SDK imports may live: the adapters of each deployable, and build tooling that names SDK files. */
const ADAPTERS = ["lib/adapters", "lib/node-agent/adapters", "events/watcher/adapters", "functions/build"];
/** The function's runtime: its entry and the FDK handler. */
const FDK_RUNTIME = ["functions/allocator/func.ts", "functions/allocator/handler.ts"];
/** CLI commands whose whole point is to run the testbed on this machine. */
const TESTBED_COMMANDS = [
  "lib/cli/commands/local.ts",
  "lib/cli/commands/emulate-oci.ts",
  "lib/cli/commands/emulate-kube.ts",
];
/** Pure libraries the core may use: hashing and date arithmetic, no I/O. */
const PURE_PACKAGES = new Set(["node:crypto", "luxon"]);

const show = (edges: ImportEdge[]) => edges.map((e) => `${e.from}:${e.line} imports ${e.to}`);

describe("dependency rules of the code's layers", () => {
  it("finds the sources it checks", () => {
    expect(FILES.length).to.be.greaterThan(150);
    expect(EDGES.filter((e) => within(e.from, "lib/core")).length).to.be.greaterThan(10);
  });

  it("keeps the pure core free of I/O: it imports only itself and pure libraries", () => {
    const bad = EDGES.filter(
      (e) => within(e.from, "lib/core") && !within(e.to, "lib/core") && !PURE_PACKAGES.has(e.to),
    );
    expect(show(bad)).to.deep.equal([]);
  });

  it("keeps the ports in the project's own types", () => {
    const bad = EDGES.filter(
      (e) =>
        within(e.from, "lib/ports") && !within(e.to, "lib/ports") && !within(e.to, "lib/core") && e.to !== "lib/errors",
    );
    expect(show(bad)).to.deep.equal([]);
  });

  it("lets only adapters import the OCI SDK and the Kubernetes client", () => {
    const bad = EDGES.filter((e) => SDK.test(e.to) && !ADAPTERS.some((a) => within(e.from, a)) && !isTestbed(e.from));
    expect(show(bad)).to.deep.equal([]);
  });

  it("lets only the function's runtime files import the FDK", () => {
    const bad = EDGES.filter((e) => FDK.test(e.to) && !FDK_RUNTIME.includes(e.from) && !isTestbed(e.from));
    expect(show(bad)).to.deep.equal([]);
  });

  it("never lets the product import the testbed, except the CLI commands that run it", () => {
    const bad = EDGES.filter((e) => isTestbed(e.to) && !isTestbed(e.from) && !TESTBED_COMMANDS.includes(e.from));
    expect(show(bad)).to.deep.equal([]);
  });

  it("would catch a violation: a core file importing an adapter is reported", () => {
    const fake: ImportEdge = { from: "lib/core/planner.ts", to: "lib/adapters/oci/clients", typeOnly: false, line: 1 };
    const bad = [fake].filter(
      (e) => within(e.from, "lib/core") && !within(e.to, "lib/core") && !PURE_PACKAGES.has(e.to),
    );
    expect(show(bad)).to.deep.equal(["lib/core/planner.ts:1 imports lib/adapters/oci/clients"]);
  });
});
