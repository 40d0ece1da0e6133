import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { loadWatcherConfig } from "../../events/watcher/config";

const DIR = join(__dirname, "..", "..", "infra", "kubernetes");

function docs(file: string): Array<Record<string, any>> {
  return YAML.parseAllDocuments(readFileSync(join(DIR, file), "utf8")).map((d) => d.toJS() as Record<string, any>);
}

describe("watcher Kubernetes manifests", () => {
  const deployment = docs("watcher/deployment.yaml").find((d) => d.kind === "Deployment")!;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it("runs two replicas as the ocipam-watcher service account in ocipam-system", () => {
    expect(deployment.metadata.namespace).to.equal("ocipam-system");
    expect(deployment.spec.replicas).to.equal(2);
    expect(pod.serviceAccountName).to.equal("ocipam-watcher");
    const rbac = docs("rbac/watcher.yaml");
    expect(
      rbac.some(
        (d) =>
          d.kind === "ServiceAccount" &&
          d.metadata.name === "ocipam-watcher" &&
          d.metadata.namespace === "ocipam-system",
      ),
    ).to.equal(true);
  });

  it("runs non-root on a read-only root filesystem with every capability dropped", () => {
    expect(pod.securityContext).to.include({ runAsNonRoot: true });
    expect(pod.securityContext.runAsUser).to.be.above(0);
    expect(container.securityContext).to.deep.include({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.resources.requests).to.have.keys("cpu", "memory");
    expect(container.resources.limits).to.have.key("memory");
  });

  it("probes /healthz and /readyz on the port the watcher serves", () => {
    const port = container.ports.find((p: { name: string }) => p.name === "http-metrics").containerPort;
    const env = Object.fromEntries(
      container.env
        .filter((e: { value?: string }) => e.value !== undefined)
        .map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(Number(env.OCIPAM_WATCHER_METRICS_PORT)).to.equal(port);
    expect(container.livenessProbe.httpGet).to.deep.equal({ port: "http-metrics", path: "/healthz" });
    expect(container.startupProbe.httpGet).to.deep.equal({ port: "http-metrics", path: "/healthz" });
    expect(container.readinessProbe.httpGet).to.deep.equal({ port: "http-metrics", path: "/readyz" });
  });

  it("names each replica by its pod in the Lease", () => {
    const identity = container.env.find((e: { name: string }) => e.name === "OCIPAM_WATCHER_IDENTITY");
    expect(identity.valueFrom.fieldRef.fieldPath).to.equal("metadata.name");
  });

  it("is granted the Lease verbs leader election uses, in the namespace of the default Lease", () => {
    const role = docs("rbac/watcher.yaml").find((d) => d.kind === "Role")!;
    const defaults = loadWatcherConfig(
      {
        OCIPAM_WATCHER_CLUSTER_NAME: "c",
        OCIPAM_WATCHER_STREAM_ID: "ocid1.stream.oc1..x",
        OCIPAM_WATCHER_STREAM_ENDPOINT: "https://x",
      },
      { hostname: "h" },
    );
    expect(role.metadata.namespace).to.equal(defaults.leaderElection.namespace);
    const leases = role.rules.find((r: { resources: string[] }) => r.resources.includes("leases"));
    expect(leases.verbs).to.include.members(["get", "create", "update"]);
  });

  it("ships a ConfigMap with every key the watcher requires, and only known keys", () => {
    const cm = docs("watcher/configmap.yaml")[0]!;
    expect(cm.metadata.name).to.equal(container.envFrom[0].configMapRef.name);
    const values = {
      ...cm.data,
      OCIPAM_WATCHER_STREAM_ID: "ocid1.stream.oc1..x",
      OCIPAM_WATCHER_STREAM_ENDPOINT: "https://x",
    };
    expect(() => loadWatcherConfig(values, { hostname: "h" })).to.not.throw();
    expect(() => loadWatcherConfig(cm.data, { hostname: "h" })).to.throw(
      /OCIPAM_WATCHER_STREAM_ID/,
      "placeholders must not start a watcher",
    );
  });
});
