import { isObject, type JsonObject } from "./json";
import { jsonPathFind } from "./jsonpath";
import { metaOf } from "./object-meta";
import type { PrinterColumn, ResourceType } from "./resource-type";

/**
 * Server-side printing: the `meta.k8s.io/v1` Table kubectl asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. Custom resources follow the apiextensions
 * tableconvertor (Name + additionalPrinterColumns, dates as human durations); built-ins use a small printer
 * per kind or Name + Age. Rows carry PartialObjectMetadata (includeObject=Metadata, the default) or the
 * whole object (includeObject=Object). See handlers/response.go asTable.
 */

/** apimachinery pkg/util/duration HumanDuration ("5s", "3m20s", "2d4h", ...). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** "<unknown>" for a missing timestamp, else the human duration since it (printers.go translateTimestampSince). */
export function since(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== "string") return "<unknown>";
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now.getTime() - t);
}

const NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating " +
  "resources, although some resources may allow a client to request the " +
  "generation of an appropriate name automatically. Name is primarily " +
  "intended for creation idempotence and configuration definition. " +
  "Cannot be updated. More info: " +
  "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

export const NAME_COLUMN = { name: "Name", type: "string", format: "name", description: NAME_DESCRIPTION, priority: 0 };
export const AGE_COLUMN = {
  name: "Age",
  type: "date",
  format: "",
  description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
  priority: 0,
};

function cellForColumn(col: PrinterColumn, obj: JsonObject, now: Date): unknown {
  const results = jsonPathFind(obj, col.jsonPath);
  if (results.length === 0 || results[0] === undefined || results[0] === null) return null;
  const value = results[0];
  switch (col.type) {
    case "string":
      return typeof value === "string" ? value : JSON.stringify(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? value : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date":
      return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? since(value, now) : null;
    default:
      return typeof value === "string" ? value : JSON.stringify(value);
  }
}

export interface TableOptions {
  includeObject?: string;
  noHeaders?: boolean;
}

/** Converts one object or a list of objects into a Table. */
export function toTable(
  rt: ResourceType,
  version: string,
  objects: JsonObject[],
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  opts: TableOptions,
  now = new Date(),
): JsonObject {
  let columns: Array<Record<string, unknown>>;
  let rowCells: (obj: JsonObject) => unknown[];
  const custom = rt.printerColumns?.[version];
  if (rt.custom && custom) {
    columns = [
      NAME_COLUMN,
      ...custom.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? "",
        description: c.description ?? "",
        priority: c.priority ?? 0,
      })),
    ];
    rowCells = (obj) => [metaOf(obj).name ?? "", ...custom.map((c) => cellForColumn(c, obj, now))];
  } else if (rt.printer) {
    const printer = rt.printer;
    columns = printer.columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: c.description ?? "",
      priority: c.priority ?? 0,
    }));
    rowCells = (obj) => printer.row(obj, now);
  } else {
    columns = [NAME_COLUMN, AGE_COLUMN];
    rowCells = (obj) => [metaOf(obj).name ?? "", since(metaOf(obj).creationTimestamp, now)];
  }
  const rows = objects.map((obj) => {
    let object: unknown;
    const mode = opts.includeObject ?? "Metadata";
    if (mode === "Object") object = obj;
    else if (mode === "None") object = undefined;
    else
      object = {
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: isObject(obj.metadata) ? obj.metadata : {},
      };
    return { cells: rowCells(obj), ...(object !== undefined ? { object } : {}) };
  });
  const metadata: JsonObject = {};
  if (listMeta.resourceVersion) metadata.resourceVersion = listMeta.resourceVersion;
  if (listMeta.continue) metadata.continue = listMeta.continue;
  if (listMeta.remainingItemCount !== undefined) metadata.remainingItemCount = listMeta.remainingItemCount;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    // metav1.Table.ColumnDefinitions has no omitempty: without headers it is encoded as null.
    columnDefinitions: opts.noHeaders ? null : columns,
    rows,
  };
}
