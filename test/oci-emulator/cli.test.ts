import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Command } from "commander";
import * as common from "oci-common";
import * as core from "oci-core";
import { register } from "../../lib/cli/commands/emulate-oci";

const CLI = join(__dirname, "..", "..", "lib", "cli", "ocipam.cjs");

describe("ocipam emulate oci", function () {
  this.timeout(30000);

  it("shares the `emulate` parent command with sibling emulators", () => {
    const program = new Command("ocipam");
    program.command("emulate").command("kube");
    register(program);
    const emulates = program.commands.filter((c) => c.name() === "emulate");
    expect(emulates).to.have.length(1);
    expect(emulates[0].commands.map((c) => c.name())).to.deep.equal(["kube", "oci"]);
  });

  it("prints one JSON line with endpoint, config and OCIDs, serves the SDK, and stops on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ocipam-emulate-"));
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, [CLI, "emulate", "oci", "--latency", "zero", "--config-dir", dir], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child!.stdout! }).once("line", resolve);
        child!.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
      });
      const info = JSON.parse(firstLine) as {
        endpoint: string;
        configPath: string;
        keyPath: string;
        profile: string;
        region: string;
        compartmentId: string;
        vcnId: string;
        subnets: Array<{ id: string; name: string }>;
        instances: Array<{ id: string; name: string; maxVnicAttachments: number }>;
        streams: Array<{ id: string; partitions: number }>;
      };
      expect(info.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.configPath).to.equal(join(dir, "config"));
      expect(info.profile).to.equal("DEFAULT");
      expect(info.region).to.equal("us-ashburn-1");
      expect(info.compartmentId).to.equal("ocid1.compartment.oc1..emucompartment000001");
      expect(info.vcnId).to.equal("ocid1.vcn.oc1.iad.emuvcn000001");
      expect(info.subnets.map((s) => s.name)).to.deep.equal([
        "workers-ad1",
        "workers-ad2",
        "pods-regional",
        "pods-tiny-ad1",
      ]);
      expect(info.instances.map((i) => i.maxVnicAttachments)).to.deep.equal([2, 8, 4, 256]);
      expect(info.streams[0].partitions).to.equal(3);

      const auth = new common.ConfigFileAuthenticationDetailsProvider(info.configPath, info.profile);
      const compute = new core.ComputeClient({ authenticationDetailsProvider: auth });
      compute.endpoint = info.endpoint;
      const listed = await compute.listInstances({ compartmentId: info.compartmentId });
      expect(listed.items.map((i) => i.id)).to.deep.equal(info.instances.map((i) => i.id));
      compute.close();

      const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).to.equal(0);
      child = undefined;
    } finally {
      child?.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
