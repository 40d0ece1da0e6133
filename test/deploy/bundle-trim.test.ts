import { expect } from "chai";
import { build } from "esbuild";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ALLOCATOR_ENTRY, allocatorBundleOptions } from "../../functions/build/bundle-config";
import { inputBytes, packageOf } from "../../functions/build/bundle-report";
import { computeSubset } from "../../functions/build/oci-core-subset";
import { projectIdentifiers } from "../../functions/build/project-identifiers";
import { identifiersIn, parseClasses, trimClasses } from "../../functions/build/trim/class-members";
import {
  dropUnusedLocalRequires,
  namespaceEntries,
  trimNamespaceIndex,
} from "../../functions/build/trim/namespace-index";

const REPO = resolve(__dirname, "..", "..");

// The layout tsc emits for oci-core's clients (lib/client.js), shortened.
const CLIENT = [
  '"use strict";',
  'const model = __importStar(require("./model"));',
  'const compute_waiter_1 = require("./compute-waiter");',
  "class ComputeClient {",
  "    constructor(params) {",
  "        this._x = 1;",
  "    }",
  "    /**",
  "     * Gets an instance.",
  "     */",
  "    getInstance(req) {",
  '        return this.call("getInstance", model.Instance);',
  "    }",
  "    set region(region) {",
  "        this._region = region;",
  "    }",
  "    createWaiters(c) {",
  "        return new compute_waiter_1.ComputeWaiter(this, c);",
  "    }",
  "    listVnicAttachmentsRecordIterator(req) {",
  "        return paginateRecords(req, (r) => this.listVnicAttachments(r));",
  "    }",
  "    listVnicAttachments(req) {",
  "        return model.VnicAttachment;",
  "    }",
  "    call(name, m) {",
  "        return m;",
  "    }",
  "    launchInstance(req) {",
  "        return model.LaunchInstanceDetails;",
  "    }",
  "}",
  "exports.ComputeClient = ComputeClient;",
  'ComputeClient.serviceEndpointTemplate = "https://iaas.{region}";',
  "class BlockstorageClient {",
  "    getVolume(req) {",
  "        return model.Volume;",
  "    }",
  "}",
  "exports.BlockstorageClient = BlockstorageClient;",
  'BlockstorageClient.endpointServiceName = "iaas";',
].join("\n");

describe("bundle trimming of generated SDK code", () => {
  describe("class members", () => {
    it("splits a tsc class into constructor, accessors and methods, each with its leading comment", () => {
      const [compute, block] = parseClasses(CLIENT.split("\n"));
      expect(compute!.name).to.equal("ComputeClient");
      expect(compute!.members.map((m) => [m.name, m.kind])).to.deep.equal([
        ["constructor", "constructor"],
        ["getInstance", "method"],
        ["region", "accessor"],
        ["createWaiters", "method"],
        ["listVnicAttachmentsRecordIterator", "method"],
        ["listVnicAttachments", "method"],
        ["call", "method"],
        ["launchInstance", "method"],
      ]);
      expect(CLIENT.split("\n").slice(compute!.members[1]!.start, compute!.members[1]!.end)[0]).to.equal("    /**");
      expect(block!.name).to.equal("BlockstorageClient");
    });

    const cases: Array<{ wanted: string[]; kept: string[]; gone: string[] }> = [
      {
        wanted: ["ComputeClient", "getInstance"],
        kept: ["getInstance(req)", "call(name, m)", "set region"],
        gone: [
          "launchInstance",
          "createWaiters",
          "listVnicAttachments(req)",
          "class BlockstorageClient",
          "BlockstorageClient.",
        ],
      },
      {
        wanted: ["ComputeClient", "listVnicAttachmentsRecordIterator"],
        kept: ["listVnicAttachmentsRecordIterator", "listVnicAttachments(req)"],
        gone: ["getInstance(req)", "call(name, m)"],
      },
      {
        wanted: ["ComputeClient", "BlockstorageClient", "getVolume"],
        kept: ["getVolume(req)", "exports.BlockstorageClient", "BlockstorageClient.endpointServiceName"],
        gone: ["getInstance(req)"],
      },
      {
        wanted: [],
        kept: ['"use strict";'],
        gone: ["class ComputeClient", "exports.ComputeClient", "ComputeClient.serviceEndpointTemplate"],
      },
    ];
    for (const c of cases) {
      it(`keeps the named classes and methods and what they call, wanting ${c.wanted.join(", ") || "nothing"}`, () => {
        const { text } = trimClasses(CLIENT, new Set(c.wanted));
        for (const k of c.kept) expect(text, k).to.include(k);
        for (const g of c.gone) expect(text, g).to.not.include(g);
      });
    }

    it("refuses a class body it does not recognise instead of guessing", () => {
      expect(() => parseClasses(["class A {", "    x = 1;", "}"])).to.throw(/unexpected line 2/);
      expect(() => parseClasses(["class A {", "    f() {", "}"])).to.throw(/no closing/);
    });

    it("reads identifiers from code but not from comments", () => {
      const ids = identifiersIn("/** getVnic */\n// listSubnets\nthis.getInstance(x);");
      expect([...ids].sort()).to.deep.equal(["getInstance", "this", "x"]);
    });
  });

  describe("namespace index files", () => {
    const INDEX = [
      "exports.B = exports.A = void 0;",
      'const A = __importStar(require("./a"));',
      "exports.A = A.A;",
      'const B = __importStar(require("./b"));',
      "exports.B = B.B;",
    ].join("\n");

    it("lists the entries and keeps only the wanted ones, without the void declarations", () => {
      expect(namespaceEntries(INDEX)).to.deep.equal([
        { name: "A", file: "./a" },
        { name: "B", file: "./b" },
      ]);
      expect(trimNamespaceIndex(INDEX, new Set(["B"]))).to.equal(
        'const B = __importStar(require("./b"));\nexports.B = B.B;',
      );
    });

    it("refuses an entry that is not followed by its export line", () => {
      expect(() =>
        trimNamespaceIndex('const A = __importStar(require("./a"));\nexports.X = 1;', new Set(["A"])),
      ).to.throw(/expected "exports.A = A.A;"/);
    });

    it("drops relative requires nothing uses, keeps used ones and every package require", () => {
      const text = [
        'const a = require("./a");',
        'const b = __importStar(require("../b"));',
        'const c = require("c");',
        "a.run();",
      ].join("\n");
      expect(dropUnusedLocalRequires(text)).to.equal(
        ['const a = require("./a");', 'const c = require("c");', "a.run();"].join("\n"),
      );
    });
  });

  describe("the real oci-core subset", () => {
    it("keeps every Compute and VirtualNetwork operation the OCI adapters call, and their answer models", async () => {
      const words = await projectIdentifiers(REPO, ALLOCATOR_ENTRY);
      const { files, report } = computeSubset(join(REPO, "node_modules", "oci-core"), words);
      const client = files.get("lib/client.js")!;
      for (const op of [
        "getInstance",
        "listVnicAttachments",
        "attachVnic",
        "getVnicAttachment",
        "detachVnic",
        "getVnic",
        "listPrivateIps",
        "createPrivateIp",
        "deletePrivateIp",
        "listSubnets",
        "listNetworkSecurityGroups",
        "getSubnetIpInventory",
        "bulkCreatePrivateIps",
      ]) {
        expect(client, op).to.match(new RegExp(`^    ${op}\\(`, "m"));
      }
      expect(client).to.not.match(/^ {4}launchInstance\(/m);
      expect(report.droppedClasses).to.have.members(["BlockstorageClient", "ComputeManagementClient"]);
      const models = files.get("lib/model/index.js")!;
      for (const m of [
        "Instance",
        "VnicAttachment",
        "Vnic",
        "PrivateIp",
        "Subnet",
        "AttachVnicDetails",
        "CreateVnicDetails",
        "CreatePrivateIpDetails",
      ])
        expect(models, m).to.include(`exports.${m} = ${m}.${m};`);
      expect(report.keptModels).to.be.below(report.totalModels / 4);
    });

    it("the bundle stays under 2.5 MB without whatwg-url, tr46 or the dropped oci-core clients", async () => {
      const dir = await mkdtemp(join(tmpdir(), "ocipam-trim-"));
      try {
        const result = await build({
          ...allocatorBundleOptions(REPO, join(dir, "func.cjs")),
          write: false,
          logLevel: "silent",
        });
        const bytes = result.outputFiles![0]!.contents.length;
        expect(bytes).to.be.at.most(2.5e6);
        const packages = new Set(inputBytes(result.metafile).map((i) => packageOf(i.path)));
        expect(packages.has("tr46") || packages.has("whatwg-url")).to.equal(false);
        const text = result.outputFiles![0]!.text;
        expect(text).to.include("VirtualNetworkClient");
        expect(text).to.include("ComputeClient#getInstance");
        expect(text).to.not.include("BlockstorageClient#");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
