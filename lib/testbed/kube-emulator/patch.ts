import { clone, deepEqual, isObject, type JsonObject } from "./json";

/**
 * RFC 7386 JSON merge patch and RFC 6902 JSON patch, with the failure split kube-apiserver makes
 * (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, applyJSPatch):
 * - a body that does not decode as a JSON patch (e.g. an object instead of an array) → PatchDecodeError,
 *   answered 400 BadRequest with the decoder's message;
 * - an operation that cannot be applied, including a failed `test` → PatchApplyError, answered 422 with the
 *   generic "the server rejected our request due to an error in our request" (NewGenericServerResponse).
 */
export class PatchDecodeError extends Error {}
export class PatchApplyError extends Error {}

/** RFC 7386: objects merge recursively, null removes a key, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
  hasValue: boolean;
}

/** Decodes a JSON patch body; mirrors evanphx/json-patch DecodePatch (an array of operation objects). */
export function decodeJsonPatch(body: unknown): Operation[] {
  if (!Array.isArray(body)) {
    const what = isObject(body) ? "object" : body === null ? "null" : typeof body;
    throw new PatchDecodeError(`json: cannot unmarshal ${what} into Go value of type jsonpatch.Patch`);
  }
  return body.map((raw) => {
    if (!isObject(raw))
      throw new PatchDecodeError(
        `json: cannot unmarshal ${Array.isArray(raw) ? "array" : typeof raw} into Go value of type jsonpatch.Operation`,
      );
    return {
      op: typeof raw.op === "string" ? raw.op : "",
      path: typeof raw.path === "string" ? raw.path : "",
      from: typeof raw.from === "string" ? raw.from : undefined,
      value: raw.value,
      hasValue: Object.hasOwn(raw, "value"),
    };
  });
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchApplyError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = JsonObject | unknown[];

/** Resolves the parent container of the pointer's last token; throws when a step is missing. */
function parentOf(doc: unknown, tokens: string[], pointer: string): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(token, cur.length - 1, pointer);
      cur = cur[i];
    } else if (isObject(cur)) {
      if (!Object.hasOwn(cur, token)) throw new PatchApplyError(`doc is missing path: ${pointer}: missing value`);
      cur = cur[token];
    } else throw new PatchApplyError(`doc is missing path: ${pointer}: missing value`);
  }
  if (!Array.isArray(cur) && !isObject(cur))
    throw new PatchApplyError(`doc is missing path: ${pointer}: missing value`);
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function arrayIndex(token: string, max: number, pointer: string): number {
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw new PatchApplyError(`Unable to access invalid index: ${token}: invalid index referenced`);
  const i = Number(token);
  if (i > max) throw new PatchApplyError(`Unable to access invalid index: ${i}: invalid index referenced (${pointer})`);
  return i;
}

function getAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length - 1, pointer)];
  if (!Object.hasOwn(parent, key)) throw new PatchApplyError(`Unable to get nonexistent key: ${key}: missing value`);
  return parent[key];
}

function addAt(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const i = key === "-" ? parent.length : arrayIndex(key, parent.length, pointer);
    parent.splice(i, 0, value);
  } else parent[key] = value;
  return doc;
}

function removeAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchApplyError("Unable to remove the whole document");
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length - 1, pointer), 1);
  else {
    if (!Object.hasOwn(parent, key))
      throw new PatchApplyError(`Unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
  return doc;
}

/** Applies a decoded JSON patch to a copy of `doc`; throws PatchApplyError on the first failing operation. */
export function applyJsonPatch(doc: unknown, ops: Operation[]): unknown {
  let cur = clone(doc);
  for (const op of ops) {
    switch (op.op) {
      case "add":
        if (!op.hasValue) throw new PatchApplyError("add operation does not apply: doc is missing value");
        cur = addAt(cur, op.path, clone(op.value));
        break;
      case "remove":
        cur = removeAt(cur, op.path);
        break;
      case "replace":
        if (!op.hasValue) throw new PatchApplyError("replace operation does not apply: doc is missing value");
        getAt(cur, op.path); // must exist
        cur = op.path === "" ? clone(op.value) : addAt(removeAt(cur, op.path), op.path, clone(op.value));
        break;
      case "move": {
        if (op.from === undefined) throw new PatchApplyError("move operation does not apply: doc is missing from path");
        const value = getAt(cur, op.from);
        cur = addAt(removeAt(cur, op.from), op.path, value);
        break;
      }
      case "copy": {
        if (op.from === undefined) throw new PatchApplyError("copy operation does not apply: doc is missing from path");
        cur = addAt(cur, op.path, clone(getAt(cur, op.from)));
        break;
      }
      case "test": {
        let actual: unknown;
        try {
          actual = getAt(cur, op.path);
        } catch {
          actual = undefined;
        }
        // evanphx/json-patch v4: "testing value %s failed: test failed".
        if (actual === undefined ? op.value !== null && op.value !== undefined : !deepEqual(actual, op.value)) {
          throw new PatchApplyError(`testing value ${op.path} failed: test failed`);
        }
        break;
      }
      default:
        throw new PatchApplyError(`Unexpected kind: ${op.op}`);
    }
  }
  return cur;
}
