import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { InvalidInputError } from "../../errors";
import { isObject, type JsonObject } from "./json";

/**
 * Reads Kubernetes manifests (multi-document YAML or JSON, `kind: List` expanded) from directories, recursively
 * and in path order, and orders them the way `kubectl apply` users must: CRDs and Namespaces first, then
 * ServiceAccounts, RBAC, and everything else.
 */
export interface ManifestDocument {
  file: string;
  object: JsonObject;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (/\.(ya?ml|json)$/i.test(entry)) out.push(path);
  }
  return out;
}

/** Parses every manifest under the directories; a syntax error names the file. */
export function readManifests(dirs: string[]): ManifestDocument[] {
  const docs: ManifestDocument[] = [];
  for (const dir of dirs) {
    for (const file of files(dir)) {
      const text = readFileSync(file, "utf8");
      for (const doc of YAML.parseAllDocuments(text)) {
        if (doc.errors.length > 0) throw new InvalidInputError(file, doc.errors[0].message);
        const value: unknown = doc.toJS();
        if (value === null || value === undefined) continue;
        if (!isObject(value) || typeof value.kind !== "string" || typeof value.apiVersion !== "string") {
          throw new InvalidInputError(file, "a manifest document must be an object with apiVersion and kind");
        }
        if (value.kind === "List" && Array.isArray(value.items)) {
          for (const item of value.items) if (isObject(item)) docs.push({ file, object: item });
        } else docs.push({ file, object: value });
      }
    }
  }
  return docs;
}

const ORDER = [
  "CustomResourceDefinition",
  "Namespace",
  "ServiceAccount",
  "ClusterRole",
  "Role",
  "ClusterRoleBinding",
  "RoleBinding",
  "Secret",
  "ConfigMap",
];

/** Sorts documents so that what others depend on is applied first (stable within a kind). */
export function applyOrder(docs: ManifestDocument[]): ManifestDocument[] {
  const rank = (d: ManifestDocument): number => {
    const i = ORDER.indexOf(String(d.object.kind));
    return i < 0 ? ORDER.length : i;
  };
  return docs
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i)
    .map((x) => x.d);
}
