import { getPath, isObject, type JsonObject } from "./json";
import { metaOf } from "./object-meta";
import { BUILTIN_PATCH_TYPES, type ResourceType } from "./resource-type";
import { AGE_COLUMN, NAME_COLUMN, since } from "./table";

/**
 * The built-in kinds the project touches, with the strategy choices of their kube-apiserver registries
 * (pkg/registry/<group>/<kind>/strategy.go): status subresources, field selectors (GetAttrs / field label
 * conversion funcs), which kinds return the deleted object. Objects of built-in kinds are not schema-validated
 * (see README); only metadata is checked.
 */

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function str(obj: JsonObject, ...path: string[]): string | undefined {
  const v = getPath(obj, path);
  return typeof v === "string" ? v : typeof v === "boolean" || typeof v === "number" ? String(v) : undefined;
}

function builtin(
  partial: Partial<ResourceType> & Pick<ResourceType, "group" | "versions" | "kind" | "plural" | "namespaced">,
): ResourceType {
  return {
    listKind: `${partial.kind}List`,
    singular: partial.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    statusSubresource: false,
    custom: false,
    fieldLabels: {},
    allowUnconditionalUpdate: true,
    returnDeletedObject: false,
    keepStatusOnCreate: true,
    patchTypes: BUILTIN_PATCH_TYPES,
    nameRule: "subdomain",
    ...partial,
  };
}

const CREATED_AT = {
  name: "Created At",
  type: "date",
  format: "",
  description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
  priority: 0,
};

/** printers.go printNode: Ready condition, roles from node-role.kubernetes.io/* labels, kubelet version. */
function nodeRow(obj: JsonObject, now: Date): unknown[] {
  const meta = metaOf(obj);
  const conditions =
    (getPath(obj, ["status", "conditions"]) as Array<{ type?: string; status?: string }> | undefined) ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  let status = ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown";
  if (getPath(obj, ["spec", "unschedulable"]) === true) status += ",SchedulingDisabled";
  const roles = Object.keys(meta.labels ?? {})
    .filter((l) => l.startsWith("node-role.kubernetes.io/"))
    .map((l) => l.slice("node-role.kubernetes.io/".length))
    .filter(Boolean);
  const addresses =
    (getPath(obj, ["status", "addresses"]) as Array<{ type?: string; address?: string }> | undefined) ?? [];
  const addr = (t: string): string => addresses.find((a) => a.type === t)?.address ?? "<none>";
  return [
    meta.name ?? "",
    status,
    roles.length > 0 ? roles.sort().join(",") : "<none>",
    since(meta.creationTimestamp, now),
    str(obj, "status", "nodeInfo", "kubeletVersion") ?? "",
    addr("InternalIP"),
    addr("ExternalIP"),
  ];
}

/** printers.go printPod (without init-container details): ready count, phase or reason, restarts. */
function podRow(obj: JsonObject, now: Date): unknown[] {
  const meta = metaOf(obj);
  const containers = (getPath(obj, ["spec", "containers"]) as unknown[] | undefined) ?? [];
  const statuses =
    (getPath(obj, ["status", "containerStatuses"]) as Array<{ ready?: boolean; restartCount?: number }> | undefined) ??
    [];
  const ready = statuses.filter((s) => s.ready).length;
  const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
  let reason = str(obj, "status", "reason") ?? str(obj, "status", "phase") ?? "";
  if (meta.deletionTimestamp) reason = "Terminating";
  return [
    meta.name ?? "",
    `${ready}/${containers.length}`,
    reason,
    restarts,
    since(meta.creationTimestamp, now),
    str(obj, "status", "podIP") ?? "<none>",
    str(obj, "spec", "nodeName") ?? "<none>",
  ];
}

function eventRow(obj: JsonObject, now: Date): unknown[] {
  const last = str(obj, "lastTimestamp") ?? str(obj, "eventTime") ?? str(obj, "metadata", "creationTimestamp");
  const kind = str(obj, "involvedObject", "kind") ?? "";
  const name = str(obj, "involvedObject", "name") ?? "";
  return [
    last ? since(last, now) : "<unknown>",
    str(obj, "type") ?? "",
    str(obj, "reason") ?? "",
    `${kind.toLowerCase()}/${name}`,
    str(obj, "message") ?? "",
  ];
}

/** Field label getters for events (pkg/registry/core/event/strategy.go ToSelectableFields). */
const eventFields: ResourceType["fieldLabels"] = {
  "involvedObject.kind": (o) => str(o, "involvedObject", "kind"),
  "involvedObject.namespace": (o) => str(o, "involvedObject", "namespace"),
  "involvedObject.name": (o) => str(o, "involvedObject", "name"),
  "involvedObject.uid": (o) => str(o, "involvedObject", "uid"),
  "involvedObject.apiVersion": (o) => str(o, "involvedObject", "apiVersion"),
  "involvedObject.resourceVersion": (o) => str(o, "involvedObject", "resourceVersion"),
  "involvedObject.fieldPath": (o) => str(o, "involvedObject", "fieldPath"),
  reason: (o) => str(o, "reason"),
  reportingComponent: (o) => str(o, "reportingComponent"),
  source: (o) => str(o, "source", "component"),
  type: (o) => str(o, "type"),
};

/** The built-in resource types, fresh objects on every call. */
export function builtinResourceTypes(): ResourceType[] {
  return [
    builtin({
      group: "",
      versions: ["v1"],
      kind: "Namespace",
      plural: "namespaces",
      namespaced: false,
      shortNames: ["ns"],
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
      statusSubresource: true,
      nameRule: "label",
      prepareForCreate: (obj) => {
        obj.status = { ...(isObject(obj.status) ? obj.status : {}), phase: "Active" };
      },
      printer: {
        columns: [
          NAME_COLUMN,
          { name: "Status", type: "string", description: "The status of the namespace" },
          AGE_COLUMN,
        ],
        row: (o, now) => [
          metaOf(o).name ?? "",
          str(o, "status", "phase") ?? "",
          since(metaOf(o).creationTimestamp, now),
        ],
      },
    }),
    builtin({
      group: "",
      versions: ["v1"],
      kind: "Node",
      plural: "nodes",
      namespaced: false,
      shortNames: ["no"],
      statusSubresource: true,
      // node strategy: "Nodes allow *all* fields, including status, to be set on create."
      keepStatusOnCreate: true,
      fieldLabels: { "spec.unschedulable": (o) => String(getPath(o, ["spec", "unschedulable"]) === true) },
      printer: {
        columns: [
          NAME_COLUMN,
          { name: "Status", type: "string", description: "The status of the node" },
          { name: "Roles", type: "string", description: "The roles of the node" },
          AGE_COLUMN,
          { name: "Version", type: "string", description: "Kubelet Version reported by the node." },
          { name: "Internal-IP", type: "string", priority: 1, description: "List of internal IPs." },
          { name: "External-IP", type: "string", priority: 1, description: "List of external IPs." },
        ],
        row: nodeRow,
      },
    }),
    builtin({
      group: "",
      versions: ["v1"],
      kind: "Pod",
      plural: "pods",
      namespaced: true,
      shortNames: ["po"],
      categories: ["all"],
      statusSubresource: true,
      // pod strategy PrepareForCreate resets status to Pending; the pod registry returns deleted pods.
      keepStatusOnCreate: false,
      returnDeletedObject: true,
      prepareForCreate: (obj) => {
        const status = isObject(obj.status) ? obj.status : {};
        if (status.phase === undefined) status.phase = "Pending";
        obj.status = status;
      },
      fieldLabels: {
        "spec.nodeName": (o) => str(o, "spec", "nodeName"),
        "spec.restartPolicy": (o) => str(o, "spec", "restartPolicy"),
        "spec.schedulerName": (o) => str(o, "spec", "schedulerName"),
        "spec.serviceAccountName": (o) => str(o, "spec", "serviceAccountName"),
        "spec.hostNetwork": (o) => String(getPath(o, ["spec", "hostNetwork"]) === true),
        "status.phase": (o) => str(o, "status", "phase"),
        "status.podIP": (o) => str(o, "status", "podIP"),
        "status.nominatedNodeName": (o) => str(o, "status", "nominatedNodeName"),
      },
      printer: {
        columns: [
          NAME_COLUMN,
          {
            name: "Ready",
            type: "string",
            description: "The aggregate readiness state of this pod for accepting traffic.",
          },
          { name: "Status", type: "string", description: "The aggregate status of the containers in this pod." },
          {
            name: "Restarts",
            type: "string",
            description:
              "The number of times the containers in this pod have been restarted " +
              "and when the last container in this pod has restarted.",
          },
          AGE_COLUMN,
          { name: "IP", type: "string", priority: 1, description: "IP address allocated to the pod." },
          { name: "Node", type: "string", priority: 1, description: "Name of the Node this pod is assigned to." },
        ],
        row: podRow,
      },
    }),
    builtin({
      group: "",
      versions: ["v1"],
      kind: "Event",
      plural: "events",
      namespaced: true,
      shortNames: ["ev"],
      fieldLabels: eventFields,
      printer: {
        columns: [
          { name: "Last Seen", type: "string", description: "Time when last this event was seen" },
          { name: "Type", type: "string", description: "Type of this event (Normal, Warning)" },
          {
            name: "Reason",
            type: "string",
            description:
              "Short, machine understandable string that gives the reason for the " +
              "transition into the object's current status.",
          },
          { name: "Object", type: "string", description: "The object that this event is about." },
          {
            name: "Message",
            type: "string",
            description: "A human-readable description of the status of this operation.",
          },
        ],
        row: eventRow,
      },
    }),
    builtin({
      group: "",
      versions: ["v1"],
      kind: "ServiceAccount",
      plural: "serviceaccounts",
      namespaced: true,
      shortNames: ["sa"],
    }),
    builtin({
      group: "",
      versions: ["v1"],
      kind: "Secret",
      plural: "secrets",
      namespaced: true,
      fieldLabels: { type: (o) => str(o, "type") },
      printer: {
        columns: [
          NAME_COLUMN,
          { name: "Type", type: "string", description: "The type of the secret" },
          { name: "Data", type: "string", description: "The number of entries in the secret" },
          AGE_COLUMN,
        ],
        row: (o, now) => [
          metaOf(o).name ?? "",
          str(o, "type") ?? "Opaque",
          Object.keys(isObject(o.data) ? o.data : {}).length,
          since(metaOf(o).creationTimestamp, now),
        ],
      },
    }),
    builtin({
      group: "",
      versions: ["v1"],
      kind: "ConfigMap",
      plural: "configmaps",
      namespaced: true,
      shortNames: ["cm"],
    }),
    builtin({
      group: "coordination.k8s.io",
      versions: ["v1"],
      kind: "Lease",
      plural: "leases",
      namespaced: true,
      printer: {
        columns: [NAME_COLUMN, { name: "Holder", type: "string", description: "The holder of the lease" }, AGE_COLUMN],
        row: (o, now) => [
          metaOf(o).name ?? "",
          str(o, "spec", "holderIdentity") ?? "",
          since(metaOf(o).creationTimestamp, now),
        ],
      },
    }),
    builtin({
      group: "rbac.authorization.k8s.io",
      versions: ["v1"],
      kind: "ClusterRole",
      nameRule: "path",
      plural: "clusterroles",
      namespaced: false,
      printer: {
        columns: [NAME_COLUMN, CREATED_AT],
        row: (o) => [metaOf(o).name ?? "", metaOf(o).creationTimestamp ?? ""],
      },
    }),
    builtin({
      group: "rbac.authorization.k8s.io",
      versions: ["v1"],
      kind: "ClusterRoleBinding",
      nameRule: "path",
      plural: "clusterrolebindings",
      namespaced: false,
    }),
    builtin({
      group: "rbac.authorization.k8s.io",
      versions: ["v1"],
      kind: "Role",
      nameRule: "path",
      plural: "roles",
      namespaced: true,
      printer: {
        columns: [NAME_COLUMN, CREATED_AT],
        row: (o) => [metaOf(o).name ?? "", metaOf(o).creationTimestamp ?? ""],
      },
    }),
    builtin({
      group: "rbac.authorization.k8s.io",
      versions: ["v1"],
      kind: "RoleBinding",
      nameRule: "path",
      plural: "rolebindings",
      namespaced: true,
    }),
    builtin({
      group: "apps",
      versions: ["v1"],
      kind: "Deployment",
      plural: "deployments",
      namespaced: true,
      shortNames: ["deploy"],
      categories: ["all"],
      statusSubresource: true,
      keepStatusOnCreate: false,
    }),
    builtin({
      group: "apps",
      versions: ["v1"],
      kind: "DaemonSet",
      plural: "daemonsets",
      namespaced: true,
      shortNames: ["ds"],
      categories: ["all"],
      statusSubresource: true,
      keepStatusOnCreate: false,
    }),
    // pkg/registry/policy/poddisruptionbudget/strategy.go: status subresource, status reset on create. The
    // watcher's manifest has one; a server-side dry run of the kustomize base needs the kind to be served.
    builtin({
      group: "policy",
      versions: ["v1"],
      kind: "PodDisruptionBudget",
      plural: "poddisruptionbudgets",
      namespaced: true,
      shortNames: ["pdb"],
      statusSubresource: true,
      keepStatusOnCreate: false,
    }),
    builtin({
      group: "authorization.k8s.io",
      versions: ["v1"],
      kind: "SelfSubjectAccessReview",
      plural: "selfsubjectaccessreviews",
      namespaced: false,
      verbs: ["create"],
    }),
  ];
}
