import { expect } from "chai";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseNodeAgentFlags } from "../../lib/node-agent/config";
import { buildNodeAgentProgram } from "../../lib/node-agent/cli-entry";

const DIR = join(__dirname, "..", "..", "infra", "kubernetes", "node-agent");

describe("node-agent DaemonSet manifest", () => {
  const ds = parse(readFileSync(join(DIR, "daemonset.yaml"), "utf8")) as any;
  const pod = ds.spec.template.spec;
  const [container] = pod.containers;

  it("runs on every node in the host network namespace with the ocipam-node-agent ServiceAccount", () => {
    expect(ds.metadata.namespace).to.equal("ocipam-system");
    expect(pod.serviceAccountName).to.equal("ocipam-node-agent");
    expect(pod.hostNetwork).to.equal(true);
    expect(pod.dnsPolicy).to.equal("ClusterFirstWithHostNet");
    expect(pod.tolerations).to.deep.equal([{ operator: "Exists" }]);
    expect(pod.containers).to.have.length(1);
  });

  it("grants only NET_ADMIN, on a read-only root filesystem, without privilege escalation", () => {
    expect(container.securityContext).to.deep.include({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(container.securityContext.capabilities).to.deep.equal({ drop: ["ALL"], add: ["NET_ADMIN"] });
    expect(pod.initContainers ?? []).to.deep.equal([]);
    expect(pod.volumes.every((v: any) => v.hostPath === undefined)).to.equal(true);
  });

  it("passes flags the agent accepts, its node name from the downward API, and probes where the agent listens", () => {
    const command = buildNodeAgentProgram().commands.find((c) => c.name() === "node-agent")!;
    const [subcommand, ...flags] = container.args as string[];
    expect(subcommand).to.equal("node-agent");
    const { unknown } = command.parseOptions(flags);
    expect(unknown).to.deep.equal([]);
    const settings = parseNodeAgentFlags(command.opts(), { NODE_NAME: "worker-1" });
    expect(container.env).to.deep.include({
      name: "NODE_NAME",
      valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } },
    });
    for (const [probe, path] of [
      ["livenessProbe", "/healthz"],
      ["readinessProbe", "/readyz"],
      ["startupProbe", "/healthz"],
    ] as const) {
      expect(container[probe].httpGet, probe).to.deep.equal({
        host: settings.health!.host,
        port: settings.health!.port,
        path,
      });
    }
  });

  it("sets resource requests and a memory limit", () => {
    expect(container.resources.requests).to.have.keys("cpu", "memory");
    expect(container.resources.limits).to.have.key("memory");
  });

  it("renders with kustomize", async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile("kubectl", ["kustomize", DIR], { encoding: "utf8", timeout: 20_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`kubectl kustomize: ${stderr || err.message}`)) : resolve(stdout),
      ),
    );
    const rendered = parse(out) as any;
    expect(rendered.kind).to.equal("DaemonSet");
    expect(rendered.spec.template.spec.containers[0].image).to.equal("ocipam-node-agent:0.1.0");
  });
});
