import type { JsonObject } from "./json";

/**
 * What every cluster has before anyone applies a manifest: the system namespaces and the bootstrap RBAC that
 * lets any authenticated identity use discovery (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/
 * policy.go: system:discovery, system:basic-user, system:public-info-viewer, cluster-admin and their bindings).
 * Without them a least-privilege service account could not even run `kubectl get` (discovery is forbidden).
 */
const BOOTSTRAP_META = {
  labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
  annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
};

function clusterRole(name: string, rules: JsonObject[]): JsonObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, ...BOOTSTRAP_META },
    rules,
  };
}

function groupBinding(name: string, role: string, groups: string[]): JsonObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name, ...BOOTSTRAP_META },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: groups.map((g) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: g })),
  };
}

export function bootstrapObjects(): JsonObject[] {
  const namespaces = ["default", "kube-system", "kube-public", "kube-node-lease"].map((name) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name },
  }));
  return [
    ...namespaces,
    clusterRole("cluster-admin", [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ]),
    clusterRole("system:discovery", [
      {
        nonResourceURLs: [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/healthz",
          "/livez",
          "/openapi",
          "/openapi/*",
          "/readyz",
          "/version",
          "/version/",
        ],
        verbs: ["get"],
      },
    ]),
    clusterRole("system:public-info-viewer", [
      { nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] },
    ]),
    clusterRole("system:basic-user", [
      {
        apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        verbs: ["create"],
      },
    ]),
    groupBinding("cluster-admin", "cluster-admin", ["system:masters"]),
    groupBinding("system:discovery", "system:discovery", ["system:authenticated"]),
    groupBinding("system:public-info-viewer", "system:public-info-viewer", [
      "system:authenticated",
      "system:unauthenticated",
    ]),
    groupBinding("system:basic-user", "system:basic-user", ["system:authenticated"]),
  ];
}
