import { expect } from "chai";
import { X509Certificate } from "node:crypto";
import { decodeContinue, encodeContinue } from "../../lib/testbed/kube-emulator/continue-token";
import { parseRequestInfo } from "../../lib/testbed/kube-emulator/http/request-info";
import { negotiate } from "../../lib/testbed/kube-emulator/http/negotiation";
import { jsonPathFind } from "../../lib/testbed/kube-emulator/jsonpath";
import {
  PatchApplyError,
  PatchDecodeError,
  applyJsonPatch,
  decodeJsonPatch,
  mergePatch,
} from "../../lib/testbed/kube-emulator/patch";
import { applyDefaults, pruneCustomResource } from "../../lib/testbed/kube-emulator/schema/prune";
import { validateAgainstSchema } from "../../lib/testbed/kube-emulator/schema/validate";
import { parseFieldSelector, parseLabelSelector, SelectorSyntaxError } from "../../lib/testbed/kube-emulator/selectors";
import { selfSignedCertificate } from "../../lib/testbed/kube-emulator/self-signed";
import type { KubeStatusError } from "../../lib/testbed/kube-emulator/status";
import { humanDuration } from "../../lib/testbed/kube-emulator/table";
import { caughtSync } from "../support/capture";

describe("kube emulator units", () => {
  describe("label selectors", () => {
    it("match equality, inequality, set, existence and numeric comparisons", () => {
      const labels = { app: "watcher", tier: "b", n: "7" };
      expect(parseLabelSelector("app=watcher,tier!=a").matches(labels)).to.equal(true);
      expect(parseLabelSelector("app==watcher,tier in (a, b)").matches(labels)).to.equal(true);
      expect(parseLabelSelector("tier notin (b)").matches(labels)).to.equal(false);
      expect(parseLabelSelector("app,!legacy").matches(labels)).to.equal(true);
      expect(parseLabelSelector("missing!=x").matches(labels)).to.equal(true);
      expect(parseLabelSelector("n>5,n<8").matches(labels)).to.equal(true);
      expect(parseLabelSelector("").matches(undefined)).to.equal(true);
    });

    it("reject malformed input", () => {
      expect(() => parseLabelSelector("a b c")).to.throw(SelectorSyntaxError);
      expect(() => parseLabelSelector("n>x")).to.throw(SelectorSyntaxError);
    });
  });

  describe("field selectors", () => {
    it("parse = == != with escapes and expose exact matches", () => {
      const sel = parseFieldSelector("spec.nodeName=worker-1,status.phase!=Succeeded,metadata.name==a\\,b");
      expect(sel.requirements).to.deep.equal([
        { field: "spec.nodeName", op: "=", value: "worker-1" },
        { field: "status.phase", op: "!=", value: "Succeeded" },
        { field: "metadata.name", op: "=", value: "a,b" },
      ]);
      expect(sel.exactMatch("spec.nodeName")).to.equal("worker-1");
      expect(sel.exactMatch("status.phase")).to.equal(undefined);
    });
  });

  describe("patches", () => {
    it("merge patch merges objects, replaces arrays and deletes on null (RFC 7386)", () => {
      expect(mergePatch({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: null }, d: null, f: "x" })).to.deep.equal({
        a: { b: 1, c: [3] },
        f: "x",
      });
    });

    it("JSON patch applies add/remove/replace/move/copy/test with JSON pointer escaping (RFC 6902)", () => {
      const doc = { spec: { ipam: { pool: { "a/b": 1 } }, list: [1, 2] } };
      const out = applyJsonPatch(
        doc,
        decodeJsonPatch([
          { op: "test", path: "/spec/ipam/pool/a~1b", value: 1 },
          { op: "add", path: "/spec/list/-", value: 3 },
          { op: "add", path: "/spec/list/0", value: 0 },
          { op: "remove", path: "/spec/list/1" },
          { op: "replace", path: "/spec/ipam/pool/a~1b", value: 2 },
          { op: "copy", from: "/spec/list", path: "/spec/copy" },
          { op: "move", from: "/spec/copy", path: "/spec/moved" },
        ]),
      );
      expect(out).to.deep.equal({ spec: { ipam: { pool: { "a/b": 2 } }, list: [0, 2, 3], moved: [0, 2, 3] } });
      expect(doc.spec.list).to.deep.equal([1, 2]); // the input is not modified
    });

    it("JSON patch separates decode errors (400) from apply errors such as a failed test (422)", () => {
      expect(() => decodeJsonPatch({ op: "add" })).to.throw(
        PatchDecodeError,
        "cannot unmarshal object into Go value of type jsonpatch.Patch",
      );
      expect(() => applyJsonPatch({ a: 1 }, decodeJsonPatch([{ op: "test", path: "/a", value: 2 }]))).to.throw(
        PatchApplyError,
        "testing value /a failed: test failed",
      );
      expect(() => applyJsonPatch({ a: 1 }, decodeJsonPatch([{ op: "remove", path: "/b" }]))).to.throw(PatchApplyError);
      expect(() => applyJsonPatch({ a: 1 }, decodeJsonPatch([{ op: "add", path: "/x/y", value: 1 }]))).to.throw(
        PatchApplyError,
      );
    });
  });

  describe("structural schema", () => {
    const schema = {
      type: "object",
      properties: {
        spec: {
          type: "object",
          properties: {
            list: { type: "array", items: { type: "object", properties: { ip: { type: "string" } } } },
            map: {
              type: "object",
              additionalProperties: { type: "object", properties: { owner: { type: "string" } } },
            },
            free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            def: { type: "integer", default: 8 },
          },
        },
      },
    };

    it(
      "prunes unknown fields in objects, array items and map values, keeping " +
        "preserve-unknown-fields subtrees, and reports their paths",
      () => {
        const obj = {
          apiVersion: "x/v1",
          kind: "X",
          metadata: { name: "a", bogus: 1 },
          spec: { list: [{ ip: "1", junk: 1 }], map: { k: { owner: "o", junk: 2 } }, free: { anything: true }, top: 1 },
          extra: 1,
        };
        const pruned = pruneCustomResource(obj, schema);
        expect(obj).to.deep.equal({
          apiVersion: "x/v1",
          kind: "X",
          metadata: { name: "a" },
          spec: { list: [{ ip: "1" }], map: { k: { owner: "o" } }, free: { anything: true } },
        });
        expect(pruned.sort()).to.deep.equal([
          "extra",
          "metadata.bogus",
          "spec.list[0].junk",
          "spec.map[k].junk",
          "spec.top",
        ]);
      },
    );

    it("applies defaults of missing properties", () => {
      const obj: Record<string, unknown> = { spec: {} };
      applyDefaults(obj, schema);
      expect(obj).to.deep.equal({ spec: { def: 8 } });
    });

    it("words type, enum, bounds, length and format errors as kube-openapi does", () => {
      const s = {
        type: "object",
        required: ["must"],
        properties: {
          n: { type: "integer", minimum: 0, maximum: 10 },
          e: { type: "string", enum: ["a", "b"] },
          s: { type: "string", maxLength: 3, pattern: "^[a-z]+$" },
          t: { type: "string", format: "date-time" },
          arr: { type: "array", maxItems: 1, items: { type: "boolean" } },
        },
      };
      const errs = validateAgainstSchema({ n: 11, e: "c", s: "ABCD", t: "nope", arr: [true, "x"] }, s);
      expect(errs.map((e) => `${e.type} ${e.field}: ${e.detail}`)).to.deep.equal([
        'FieldValueTypeInvalid arr[1]: arr[1] in body must be of type boolean: "string"',
        "FieldValueTooMany arr: must have at most 1 items",
        'FieldValueNotSupported e: supported values: "a", "b"',
        "FieldValueInvalid n: n in body should be less than or equal to 10",
        "FieldValueTooLong s: may not be longer than 3",
        "FieldValueInvalid s: s in body should match '^[a-z]+$'",
        'FieldValueTypeInvalid t: t in body must be of type date-time: "nope"',
        "FieldValueRequired must: ",
      ]);
    });
  });

  describe("request info", () => {
    it("parses resource requests like k8s.io/apiserver requestinfo.go", () => {
      const info = (m: string, u: string) => parseRequestInfo(m, new URL(u, "http://x"));
      expect(info("GET", "/apis/cilium.io/v2/ciliumnodes")).to.include({
        verb: "list",
        resource: "ciliumnodes",
        apiGroup: "cilium.io",
        name: "",
      });
      expect(info("GET", "/apis/cilium.io/v2/ciliumnodes?watch=true&fieldSelector=metadata.name%3Dn1")).to.include({
        verb: "watch",
        name: "n1",
        pathName: "",
      });
      expect(info("PATCH", "/apis/cilium.io/v2/ciliumnodes/n1/status")).to.include({
        verb: "patch",
        name: "n1",
        subresource: "status",
      });
      expect(info("DELETE", "/api/v1/namespaces/ns1/pods")).to.include({
        verb: "deletecollection",
        namespace: "ns1",
        resource: "pods",
      });
      expect(info("GET", "/api/v1/namespaces/ns1")).to.include({
        verb: "get",
        resource: "namespaces",
        name: "ns1",
        namespace: "ns1",
      });
      expect(info("PUT", "/api/v1/namespaces/ns1/status")).to.include({
        verb: "update",
        resource: "namespaces",
        name: "ns1",
        subresource: "status",
      });
      expect(info("GET", "/apis/cilium.io/v2")).to.include({ resourceRequest: false, verb: "get" });
    });
  });

  describe("content negotiation", () => {
    it("picks kubectl's Table, falls back to JSON and refuses protobuf-only clients", () => {
      expect(
        negotiate(
          "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
        ),
      ).to.deep.equal({ kind: "table", version: "v1" });
      expect(negotiate("application/json, */*;q=0.8")).to.deep.equal({ kind: "json" });
      expect(negotiate(undefined)).to.deep.equal({ kind: "json" });
      expect(negotiate("application/vnd.kubernetes.protobuf")).to.equal(undefined);
      expect(
        negotiate(
          "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        ),
      ).to.deep.equal({
        kind: "partial",
        version: "v1",
        list: true,
      });
    });
  });

  describe("continue tokens", () => {
    it("round-trip in the apiserver's format and reject garbage with 400", () => {
      const token = encodeContinue({ rv: 42, start: "node-b" });
      expect(JSON.parse(Buffer.from(token, "base64url").toString())).to.deep.equal({
        v: "meta.k8s.io/v1",
        rv: 42,
        start: "node-b\u0000",
      });
      expect(decodeContinue(token)).to.deep.equal({ rv: 42, start: "node-b" });
      const err = caughtSync<KubeStatusError>(() => decodeContinue("not-a-token"), "decoding garbage");
      expect(err.status.code).to.equal(400);
    });
  });

  describe("JSONPath for printer columns", () => {
    it("evaluates fields, indexes and equality filters", () => {
      const doc = {
        spec: {
          addresses: [
            { type: "InternalIP", ip: "10.0.0.5" },
            { type: "CiliumInternalIP", ip: "10.1.0.1" },
          ],
        },
      };
      expect(jsonPathFind(doc, '.spec.addresses[?(@.type=="CiliumInternalIP")].ip')).to.deep.equal(["10.1.0.1"]);
      expect(jsonPathFind(doc, ".spec.addresses[0].type")).to.deep.equal(["InternalIP"]);
      expect(jsonPathFind(doc, ".spec.addresses[*].ip")).to.deep.equal(["10.0.0.5", "10.1.0.1"]);
      expect(jsonPathFind(doc, ".status.counts.used")).to.deep.equal([]);
    });
  });

  describe("human durations (kubectl AGE)", () => {
    it("formats like apimachinery's duration.HumanDuration", () => {
      expect(
        [
          5_000,
          150_000,
          600_000,
          4 * 3600_000 + 5 * 60_000,
          30 * 3600_000,
          3 * 86400_000 + 3600_000,
          400 * 86400_000,
          800 * 86400_000,
        ].map(humanDuration),
      ).to.deep.equal(["5s", "2m30s", "10m", "4h5m", "30h", "3d1h", "400d", "2y70d"]);
    });
  });

  describe("self-signed certificate", () => {
    it("is a valid X.509 certificate for loopback, signed by its own key", () => {
      const { cert } = selfSignedCertificate();
      const x = new X509Certificate(cert);
      expect(x.subjectAltName).to.include("IP Address:127.0.0.1");
      expect(x.verify(x.publicKey)).to.equal(true);
      expect(x.ca).to.equal(true);
    });
  });
});
