import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { githubSlug, inlineCode, ocipamCommands, repositoryPaths, splitFences, twinDifferences } from "./docs-zh";

const REPO = join(__dirname, "..", "..");
const read = (rel: string): string => readFileSync(join(REPO, rel), "utf8");

/** Each English guide and its Simplified Chinese twin, with the line each must start with to link the other. */
const TWINS: Array<{ en: string; zh: string; enLink: string; zhLink: string }> = [
  { en: "README.md", zh: "README_CN.md", enLink: "[简体中文](README_CN.md)", zhLink: "[English](README.md)" },
  {
    en: "infra/README.md",
    zh: "infra/README_CN.md",
    enLink: "[简体中文](README_CN.md)",
    zhLink: "[English](README.md)",
  },
];

const EN = [
  "# Title",
  "## Two commands",
  "Run `npx ocipam local --seed 3` and read `lib/testbed/local/report.ts` with `OCIPAM_LOG_LEVEL`.",
  "```bash",
  "npm start   # ## not a heading",
  "```",
  "### `ocipam plan --input <observed.json> [--explain]`",
  "See [the guide](infra/README.md) and [uninstall](#uninstalling).",
  "",
].join("\n");
const ZH = [
  "# 标题",
  '## 两条命令 <a id="two-commands"></a>',
  "运行 `npx ocipam local --seed 3`，阅读 `lib/testbed/local/report.ts`，配置键 `OCIPAM_LOG_LEVEL`。",
  "```bash",
  "npm start   # ## not a heading",
  "```",
  '### `ocipam plan --input <observed.json> [--explain]` <a id="ocipam-plan---input-observedjson---explain"></a>',
  "见[指南](infra/README_CN.md)和[卸载](#uninstalling)。",
  "",
].join("\n");

describe("the Simplified Chinese guides stay in step with the English ones", () => {
  describe("twinDifferences on small documents", () => {
    const cases: Array<[string, string, string, string[]]> = [
      ["a faithful translation", EN, ZH, []],
      [
        "a renamed English heading",
        EN.replace("## Two commands", "## Three commands"),
        ZH,
        [
          'heading 1 differs: English line 2 "## Three commands" (anchor three-commands) vs Chinese line 2 ' +
            '"## 两条命令 <a id="two-commands"></a>" (anchor two-commands)',
        ],
      ],
      [
        "a heading level changed",
        EN,
        ZH.replace("### `ocipam plan", "## `ocipam plan"),
        [
          'heading 2 differs: English line 7 "### `ocipam plan --input <observed.json> [--explain]`" (anchor ' +
            'ocipam-plan---input-observedjson---explain) vs Chinese line 7 "## `ocipam plan --input ' +
            '<observed.json> [--explain]` <a id="ocipam-plan---input-observedjson---explain"></a>" ' +
            "(anchor ocipam-plan---input-observedjson---explain)",
        ],
      ],
      [
        "a changed line in a code block",
        EN.replace("npm start ", "npm test  "),
        ZH,
        [
          'code block 1, its line 2: English "npm test    # ## not a heading" vs ' +
            'Chinese "npm start   # ## not a heading"',
        ],
      ],
      [
        "a key, a path, a command and a link only in English",
        EN.replace(
          "read `lib/testbed/local/report.ts`",
          "read `lib/testbed/report.ts` and `OCIPAM_X`, `ocipam status`",
        ).replace("(#uninstalling)", "(#upgrading)"),
        ZH,
        [
          "configuration key only in English: OCIPAM_X",
          "repository path only in English: lib/testbed/report.ts",
          "repository path only in Chinese: lib/testbed/local/report.ts",
          "ocipam command only in English: ocipam status",
          "inline code only in English: OCIPAM_X",
          "link only in English: #upgrading",
          "link only in Chinese: #uninstalling",
        ],
      ],
    ];
    for (const [name, en, zh, expected] of cases) {
      it(`reports ${name} by name`, () => {
        expect(twinDifferences(en, zh)).to.deep.equal(expected);
      });
    }
  });

  describe("the extractors", () => {
    const slugs: Array<[string, string]> = [
      ["0. Shell variables", "0-shell-variables"],
      [
        "How the core decides (Cilium's rules, and where it differs)",
        "how-the-core-decides-ciliums-rules-and-where-it-differs",
      ],
      ["IAM: what is granted and why", "iam-what-is-granted-and-why"],
      ["`ocipam local` options and report", "ocipam-local-options-and-report"],
    ];
    for (const [heading, slug] of slugs) {
      it(`slugs "${heading}" as GitHub does (${slug})`, () => expect(githubSlug(heading)).to.equal(slug));
    }

    it("keeps an indented fenced block inside a list item whole and out of the prose", () => {
      const { blocks, prose } = splitFences("- item:\n\n  ```\n  ## x `lib/a.ts`\n  ```\n\nafter `lib/b.ts`\n");
      expect(blocks).to.deep.equal(["  ```\n  ## x `lib/a.ts`\n  ```"]);
      expect(repositoryPaths(prose)).to.deep.equal(["lib/b.ts"]);
    });

    it("reads double-backtick spans and tells commands and paths from other code", () => {
      const prose = "`` a `b` `` `ocipam-system` `npx ocipam plan --node n` `infra/terraform/` `variables-<area>.tf`";
      expect(inlineCode(prose)).to.deep.equal([
        "a `b`",
        "ocipam-system",
        "npx ocipam plan --node n",
        "infra/terraform/",
        "variables-<area>.tf",
      ]);
      expect(ocipamCommands(prose)).to.deep.equal(["npx ocipam plan --node n"]);
      expect(repositoryPaths(prose)).to.deep.equal(["infra/terraform/"]);
    });
  });

  for (const twin of TWINS) {
    describe(`${twin.zh} and ${twin.en}`, () => {
      it("link to each other on their first line", () => {
        expect(read(twin.en).split("\n")[0]).to.equal(twin.enLink);
        expect(read(twin.zh).split("\n")[0]!.startsWith(twin.zhLink)).to.equal(true, read(twin.zh).split("\n")[0]);
      });

      it("have the same headings, code blocks, keys, paths, commands, links and configuration rows", () => {
        const differences = twinDifferences(read(twin.en), read(twin.zh));
        expect(differences, `${twin.zh} is behind ${twin.en}:\n${differences.join("\n")}\n`).to.deep.equal([]);
      });
    });
  }
});
