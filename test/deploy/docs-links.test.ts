import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  brokenLinks,
  type DocFinding,
  filesUnder,
  markdownLinks,
  missingNamedPaths,
  noteMentions,
  readText,
  SCANNED_FILES,
} from "./docs-links";

const REPO = join(__dirname, "..", "..");
const THIS_CHECK = ["test/deploy/docs-links.ts", "test/deploy/docs-links.test.ts"];

const describeFindings = (findings: DocFinding[]): string =>
  findings.map((f) => `${f.file}:${f.line} ${f.problem}`).join("\n");

describe("the repository's documentation stands alone", () => {
  describe("markdownLinks", () => {
    const cases: Array<[string, string, string[]]> = [
      ["an inline link", "see [the guide](infra/README.md) first", ["infra/README.md"]],
      ["an image and a titled link", '![x](a.png) and [y](b/c.md "title")', ["a.png", "b/c.md"]],
      ["a reference definition", "[guide]: ../infra/README.md#install", ["../infra/README.md#install"]],
      ["an HTML anchor", '<a href="lib/cli/README.md">cli</a>', ["lib/cli/README.md"]],
      ["nothing inside inline code", "run `[a](b)` literally", []],
      ["nothing inside a fenced block", "```\n[a](missing.md)\n```\n[b](there.md)", ["there.md"]],
    ];
    for (const [name, markdown, targets] of cases) {
      it(`finds ${name}`, () => {
        expect(markdownLinks(markdown).map((l) => l.target)).to.deep.equal(targets);
      });
    }
  });

  describe("brokenLinks and noteMentions on a scratch repository", () => {
    let repo: string;
    before(() => {
      repo = mkdtempSync(join(tmpdir(), "docs-links-"));
      mkdirSync(join(repo, "lib", "cli"), { recursive: true });
      writeFileSync(join(repo, "lib", "cli", "README.md"), "# cli\n");
      mkdirSync(join(repo, "node_modules", "oci-core", "lib", "model"), { recursive: true });
      writeFileSync(join(repo, "node_modules", "oci-core", "lib", "model", "vnic.d.ts"), "export {};\n");
    });
    after(() => rmSync(repo, { recursive: true, force: true }));

    const cases: Array<[string, string, string[]]> = [
      ["accepts a link to an existing file, with an anchor", "[cli](lib/cli/README.md#flags)", []],
      ["accepts a root-relative link, URLs and same-page anchors", "[a](/lib/cli) [b](https://x.io/y) [c](#top)", []],
      ["reports a link to a path that does not exist", "[gone](lib/old/x.md)", ["does not exist: lib/old/x.md"]],
      ["reports a link that leaves the repository", "[notes](../shared/design.md)", ["outside the repository"]],
    ];
    for (const [name, markdown, problems] of cases) {
      it(name, () => {
        const found = brokenLinks(repo, join(repo, "README.md"), markdown).map((f) => f.problem);
        expect(found).to.have.length(problems.length);
        problems.forEach((p, i) => {
          expect(found[i]).to.contain(p);
        });
      });
    }

    const named: Array<[string, string, number]> = [
      ["accepts a named path that exists", "see `lib/cli/README.md:3`", 0],
      ["accepts globs and placeholders", "`lib/*/README.md`, `lib/<folder>/x.ts`", 0],
      ["reports a named path that does not exist", "moved to `lib/cli/gone.ts`", 1],
      ["accepts a path of the installed package named before it", "oci-core `lib/model/vnic.d.ts`", 0],
      ["reports a package path when the package does not have it", "oci-core `lib/model/no-such.d.ts`", 1],
      ["ignores paths inside a fenced block", "```\n`lib/none.ts`\n```", 0],
    ];
    for (const [name, markdown, count] of named) {
      it(name, () => {
        expect(missingNamedPaths(repo, join(repo, "README.md"), markdown)).to.have.length(count);
      });
    }

    const mentions: Array<[string, boolean]> = [
      ["(see shared/reference/oci-facts.md §3)", true],
      ["measured in ../shared notes", true],
      ["as library-notes §2 says", true],
      ["the design (design.md, Latency)", true],
      ["lib/adapters/oci/auth.ts is shared by the allocator and the watcher", false],
      ["src/shared/util.ts and @scope/shared/x", false],
    ];
    for (const [line, named] of mentions) {
      it(`${named ? "reports" : "accepts"} the line "${line}"`, () => {
        expect(noteMentions("x.md", line)).to.have.length(named ? 1 : 0);
      });
    }
  });

  it("links from every markdown file only to paths that exist inside the repository", () => {
    const files = filesUnder(REPO, /\.md$/);
    expect(files.length).to.be.greaterThan(15);
    const findings = files.flatMap((f) => brokenLinks(REPO, f, readText(f)));
    expect(findings, describeFindings(findings)).to.deep.equal([]);
  });

  it("names in inline code only repository paths that exist", () => {
    const findings = filesUnder(REPO, /\.md$/).flatMap((f) => missingNamedPaths(REPO, f, readText(f)));
    expect(findings, describeFindings(findings)).to.deep.equal([]);
  });

  it("never names the private notes (shared/, ../shared, their file names) in any source, doc or manifest", () => {
    const files = filesUnder(REPO, SCANNED_FILES).filter((f) => !THIS_CHECK.includes(relative(REPO, f)));
    expect(files.length).to.be.greaterThan(100);
    const findings = files.flatMap((f) => noteMentions(relative(REPO, f), readText(f)));
    expect(findings, describeFindings(findings)).to.deep.equal([]);
  });
});
