import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProgram } from "../../lib/cli/main";

const ROOT = join(__dirname, "..", "..");

describe("ocipam emulate kube", function () {
  this.timeout(30_000);

  it("registers next to `emulate oci` under one `emulate` parent", () => {
    const emulate = buildProgram().commands.filter((c) => c.name() === "emulate");
    expect(emulate).to.have.length(1);
    expect(emulate[0].commands.map((c) => c.name())).to.include.members(["kube", "oci"]);
  });

  it(
    "prints one JSON line with the endpoint, an admin kubeconfig that " +
      "works, and the service-account tokens, then stops on SIGTERM",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "emulate-kube-"));
      const kubeconfig = join(dir, "kubeconfig");
      const child = spawn(
        process.execPath,
        [
          join(ROOT, "lib", "cli", "ocipam.cjs"),
          "emulate",
          "kube",
          "--port",
          "0",
          "--kubeconfig",
          kubeconfig,
          "--log-level",
          "warn",
        ],
        {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = "";
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            if (out.includes("\n")) resolve(out.split("\n")[0]);
          });
          child.on("exit", (code) => reject(new Error(`exited ${code} before printing`)));
        });
        const summary = JSON.parse(line) as {
          endpoint: string;
          httpsEndpoint: string;
          kubeconfig: string;
          tokens: Record<string, string>;
        };
        expect(summary.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(summary.httpsEndpoint).to.equal(summary.endpoint.replace("http:", "https:"));
        expect(summary.kubeconfig).to.equal(kubeconfig);
        expect(Object.keys(summary.tokens)).to.include.members([
          "admin",
          "ocipam-system/ocipam-allocator",
          "ocipam-system/ocipam-watcher",
          "ocipam-system/ocipam-node-agent",
        ]);
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(kubeconfig);
        const crds = await kc.makeApiClient(k8s.ApiextensionsV1Api).listCustomResourceDefinition({});
        expect(crds.items.map((c) => c.metadata?.name)).to.include.members([
          "ciliumnodes.cilium.io",
          "ociipamnodes.ocipam.io",
        ]);
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited).to.equal(0);
      rmSync(dir, { recursive: true, force: true });
    },
  );
});
