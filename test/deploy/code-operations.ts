import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OPERATION_PERMISSIONS, type OciOperation } from "../../lib/oci/permissions";

/**
 * Which OCI operations each deployed component calls, read from its source, so the policies are checked against the
 * code as it is, not against a list someone keeps by hand:
 * - the allocator's OCI adapters (lib/adapters/oci) name every call: `caller.call("GetInstance", ...)`,
 *   `caller.listAll("ListSubnets", ...)`, and call the SDK method of the same name (`client.getInstance(...)`); its
 *   Kubernetes adapters (lib/adapters/kube) read the token from Vault (`client.getSecretBundle(...)`);
 * - the watcher's adapters (events/watcher/adapters) call the Streaming SDK directly (`client.putMessages(...)`).
 * Every name found must be an operation of lib/oci/permissions.ts, or the scan fails: a call without a permission
 * row could never be granted exactly.
 */

const ALL_OPERATIONS = Object.keys(OPERATION_PERMISSIONS) as OciOperation[];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => readFileSync(join(dir, e.name), "utf8"));
}

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

/** Operations called in the .ts files of `dir`: named caller calls plus SDK method calls of known operations. */
export function operationsCalledIn(dir: string): OciOperation[] {
  const found = new Set<string>();
  for (const text of sources(dir)) {
    for (const m of text.matchAll(/caller\.(?:call|listAll)\(\s*"([A-Za-z]+)"/g)) found.add(m[1]!);
    for (const op of ALL_OPERATIONS) if (text.includes(`.${lowerFirst(op)}(`)) found.add(op);
  }
  const unknown = [...found].filter((op) => !(op in OPERATION_PERMISSIONS));
  if (unknown.length > 0)
    throw new Error(`${dir} calls operations missing from lib/oci/permissions.ts: ${unknown.join(", ")}`);
  return [...found].sort() as OciOperation[];
}

/**
 * Operations of the allocator reached only through the bulk path (`OciBulkNetwork` in
 * lib/adapters/oci/network-adapter.ts),
 * i.e. only when OCIPAM_USE_BULK_CREATE / use_bulk_create is on.
 */
export const BULK_ONLY_OPERATIONS: readonly OciOperation[] = [
  "BulkCreatePrivateIps",
  "GetWorkRequest",
  "ListWorkRequestErrors",
];

export function allocatorOperations(repoRoot: string, bulk: boolean): OciOperation[] {
  const all = [
    ...new Set([
      ...operationsCalledIn(join(repoRoot, "lib", "adapters", "oci")),
      ...operationsCalledIn(join(repoRoot, "lib", "adapters", "kube")),
    ]),
  ].sort();
  for (const op of BULK_ONLY_OPERATIONS) {
    if (!all.includes(op)) throw new Error(`BULK_ONLY_OPERATIONS names ${op}, which lib/adapters/oci no longer calls`);
  }
  return bulk ? all : all.filter((op) => !BULK_ONLY_OPERATIONS.includes(op));
}

export function watcherOperations(repoRoot: string): OciOperation[] {
  return operationsCalledIn(join(repoRoot, "events", "watcher", "adapters"));
}
