import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import YAML from "yaml";
import { startKubeEmulator, type KubeEmulator } from "../../lib/testbed/kube-emulator";

const INFRA = join(__dirname, "..", "..", "infra");
const BASE = join(INFRA, "kubernetes");
const EXAMPLE = join(INFRA, "overlays", "example");
const MONITORING = join(BASE, "monitoring");

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
};

function run(
  cmd: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: 30_000, maxBuffer: 16 << 20, env: options.env },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code) || 1 : 0, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

async function render(dir: string): Promise<{ text: string; objects: Obj[] }> {
  const r = await run("kubectl", ["kustomize", dir]);
  if (r.code !== 0) throw new Error(`kubectl kustomize ${dir}: ${r.stderr}`);
  return { text: r.stdout, objects: YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj) };
}

const find = (objects: Obj[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const index = (objects: Obj[], kind: string, name: string) =>
  objects.findIndex((o) => o.kind === kind && o.metadata.name === name);

describe("deploy: kustomize base and example overlay", function () {
  this.timeout(60_000);
  let dir: string;
  let emu: KubeEmulator;
  let kubeconfig: string;

  /** `kubectl apply --dry-run=server -f -` against the emulator, as the cluster admin. */
  const dryRun = (manifests: string) =>
    run(
      "kubectl",
      [
        "--kubeconfig",
        kubeconfig,
        "--cache-dir",
        join(dir, "cache"),
        "--request-timeout=10s",
        "apply",
        "--dry-run=server",
        "-f",
        "-",
      ],
      {
        input: manifests,
        env: { ...process.env, HOME: dir },
      },
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ocipam-kustomize-"));
    // A cluster with none of the project's objects: only the namespace exists already, since a dry run persists
    // nothing, so objects in a namespace created by the same dry run would be refused (NamespaceLifecycle), as by
    // kube-apiserver.
    emu = await startKubeEmulator({ manifestDirs: [] });
    emu.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "ocipam-system" } });
    kubeconfig = await emu.writeKubeconfig(join(dir, "admin.kubeconfig"), "admin");
  });
  after(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    "renders the base: namespace, OciIpamNode CRD, three service accounts " +
      "with RBAC, token, watcher and node agent",
    async () => {
      const { objects } = await render(BASE);
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      for (const expected of [
        "Namespace/ocipam-system",
        "CustomResourceDefinition/ociipamnodes.ocipam.io",
        "ServiceAccount/ocipam-allocator",
        "ServiceAccount/ocipam-watcher",
        "ServiceAccount/ocipam-node-agent",
        "ClusterRole/ocipam-allocator",
        "Secret/ocipam-allocator-token",
        "ConfigMap/ocipam-watcher",
        "Deployment/ocipam-watcher",
        "PodDisruptionBudget/ocipam-watcher",
        "DaemonSet/ocipam-node-agent",
      ]) {
        expect(names).to.include(expected);
      }
      // cilium-operator owns this CRD on a cluster with Cilium; the monitoring objects need the Prometheus Operator.
      expect(names).to.not.include("CustomResourceDefinition/ciliumnodes.cilium.io");
      expect(objects.filter((o) => o.apiVersion.startsWith("monitoring.coreos.com"))).to.deep.equal([]);
      // Namespaced objects name their namespace; everything but grants (Roles, RoleBindings on objects elsewhere,
      // such as Events or Cilium's ConfigMap) lives in ocipam-system.
      const clusterScoped = ["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"];
      for (const o of objects.filter((x) => !clusterScoped.includes(x.kind))) {
        const where = `${o.kind}/${o.metadata.name}`;
        if (["Role", "RoleBinding"].includes(o.kind))
          expect(o.metadata.namespace, where).to.be.a("string").and.not.equal("");
        else expect(o.metadata.namespace, where).to.equal("ocipam-system");
      }
    },
  );

  it("emits the ServiceAccount ocipam-allocator before its token Secret, and the namespace and CRD first", async () => {
    const { objects } = await render(BASE);
    const sa = index(objects, "ServiceAccount", "ocipam-allocator");
    const token = index(objects, "Secret", "ocipam-allocator-token");
    expect(sa).to.be.at.least(0);
    expect(token).to.be.greaterThan(sa);
    expect(objects[0].kind).to.equal("Namespace");
    expect(objects[1].kind).to.equal("CustomResourceDefinition");
  });

  it(
    "sets the images and merges the watcher settings in the example " + "overlay, keeping the ConfigMap's name",
    async () => {
      const { objects } = await render(EXAMPLE);
      const deploy = find(objects, "Deployment", "ocipam-watcher") as unknown as {
        spec: {
          template: {
            spec: { containers: Array<{ image: string; envFrom: Array<{ configMapRef: { name: string } }> }> };
          };
        };
      };
      const ds = find(objects, "DaemonSet", "ocipam-node-agent") as unknown as {
        spec: { template: { spec: { containers: Array<{ image: string }> } } };
      };
      expect(deploy.spec.template.spec.containers[0].image).to.equal(
        "us-ashburn-1.ocir.io/mytenancy/ocipam/watcher:0.1.0",
      );
      expect(ds.spec.template.spec.containers[0].image).to.equal(
        "us-ashburn-1.ocir.io/mytenancy/ocipam/node-agent:0.1.0",
      );
      const cm = find(objects, "ConfigMap", "ocipam-watcher") as unknown as { data: Record<string, string> };
      expect(cm.data.OCIPAM_WATCHER_CLUSTER_NAME).to.equal("prod-ashburn");
      expect(cm.data.OCIPAM_WATCHER_STREAM_ID).to.equal("ocid1.stream.oc1.iad.exampleuniqueid");
      expect(cm.data.OCIPAM_WATCHER_STREAM_ENDPOINT).to.equal(
        "https://cell-1.streaming.us-ashburn-1.oci.oraclecloud.com",
      );
      // A key the overlay does not set keeps the base's value.
      expect(cm.data.OCIPAM_WATCHER_RESYNC_SECONDS).to.equal("60");
      expect(deploy.spec.template.spec.containers[0].envFrom.map((e) => e.configMapRef.name)).to.include(
        "ocipam-watcher",
      );
    },
  );

  for (const [label, path] of [
    ["the base", BASE],
    ["the example overlay", EXAMPLE],
  ] as const) {
    it(`is accepted whole by a server-side dry run of ${label}, which persists nothing`, async () => {
      const { text, objects } = await render(path);
      const r = await dryRun(text);
      expect(r.stderr).to.not.match(/error/i);
      expect(r.code).to.equal(0);
      const lines = r.stdout.trim().split("\n");
      expect(lines).to.have.length(objects.length);
      for (const line of lines) expect(line).to.match(/ (created|configured|unchanged) \(server dry run\)$/);
      expect(emu.store.get("serviceaccounts", "ocipam-allocator", "ocipam-system")).to.equal(undefined);
      expect(emu.store.get("customresourcedefinitions", "ociipamnodes.ocipam.io")).to.equal(undefined);
      expect(emu.store.get("deployments", "ocipam-watcher", "ocipam-system")).to.equal(undefined);
    });
  }

  it("is refused by the dry run when an object is invalid (the dry run validates)", async () => {
    const { objects } = await render(EXAMPLE);
    const broken = objects.map((o) =>
      o.kind === "ConfigMap" ? { ...o, metadata: { ...o.metadata, name: "Not_A_Valid_Name" } } : o,
    );
    const r = await dryRun(broken.map((o) => YAML.stringify(o)).join("---\n"));
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('ConfigMap "Not_A_Valid_Name" is invalid: metadata.name: Invalid value');
  });

  it(
    "answers a dryRun=All create with the object as it would be stored, " + "and refuses any other dryRun value",
    async () => {
      const post = (query: string) =>
        fetch(`${emu.endpoint}/api/v1/namespaces/ocipam-system/configmaps${query}`, {
          method: "POST",
          headers: { authorization: `Bearer ${emu.tokens.admin}`, "content-type": "application/json" },
          body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry" }, data: { a: "1" } }),
        });
      const ok = await post("?dryRun=All");
      const created = (await ok.json()) as { metadata: { name: string; uid?: string; creationTimestamp?: string } };
      expect(ok.status).to.equal(201);
      expect(created.metadata.name).to.equal("dry");
      expect(created.metadata.uid).to.be.a("string");
      expect(emu.store.get("configmaps", "dry", "ocipam-system")).to.equal(undefined);
      // apimachinery ValidateDryRun: a typo must not turn into a real write.
      const typo = await post("?dryRun=true");
      const status = (await typo.json()) as { code: number; reason: string; message: string };
      expect(status).to.include({ code: 422, reason: "Invalid" });
      expect(status.message).to.equal(
        'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"true"}: supported values: "All"',
      );
      expect(emu.store.get("configmaps", "dry", "ocipam-system")).to.equal(undefined);
    },
  );

  it(
    "adds the monitoring component: a Service selecting the watcher pods' " + "metrics port and a ServiceMonitor on it",
    async () => {
      const overlay = join(dir, "with-monitoring");
      rmSync(overlay, { recursive: true, force: true });
      mkdirSync(overlay);
      // kustomize takes only relative paths to other kustomizations.
      writeFileSync(
        join(overlay, "kustomization.yaml"),
        YAML.stringify({
          apiVersion: "kustomize.config.k8s.io/v1beta1",
          kind: "Kustomization",
          resources: [relative(overlay, EXAMPLE)],
          components: [relative(overlay, MONITORING)],
        }),
      );
      const { objects } = await render(overlay);
      const svc = find(objects, "Service", "ocipam-watcher") as unknown as Obj & {
        spec: { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> };
      };
      const deploy = find(objects, "Deployment", "ocipam-watcher") as unknown as {
        spec: {
          template: {
            metadata: { labels: Record<string, string> };
            spec: { containers: Array<{ ports: Array<{ name: string }> }> };
          };
        };
      };
      const sm = find(objects, "ServiceMonitor", "ocipam-watcher") as unknown as Obj & {
        spec: {
          selector: { matchLabels: Record<string, string> };
          namespaceSelector: { matchNames: string[] };
          endpoints: Array<{ port: string; path: string }>;
        };
      };
      expect(find(objects, "PrometheusRule", "ocipam-watcher")).to.not.equal(undefined);
      expect(find(objects, "ConfigMap", "ocipam-grafana-dashboard")?.metadata.labels?.grafana_dashboard).to.equal("1");
      const podLabels = deploy.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k], k).to.equal(v);
      expect(deploy.spec.template.spec.containers[0].ports.map((p) => p.name)).to.include(svc.spec.ports[0].targetPort);
      for (const [k, v] of Object.entries(sm.spec.selector.matchLabels))
        expect(svc.metadata.labels?.[k], k).to.equal(v);
      expect(sm.spec.namespaceSelector.matchNames).to.deep.equal([svc.metadata.namespace]);
      expect(sm.spec.endpoints[0]).to.include({ port: svc.spec.ports[0].name, path: "/metrics" });
      // Everything but the Prometheus Operator's kinds and the Service (kinds the emulator does not serve) dry-runs.
      const served = objects.filter((o) => !o.apiVersion.startsWith("monitoring.coreos.com/") && o.kind !== "Service");
      const r = await dryRun(served.map((o) => YAML.stringify(o)).join("---\n"));
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include("configmap/ocipam-grafana-dashboard created (server dry run)");
    },
  );
});
