import { ApiException, AbortError, FetchError } from "@kubernetes/client-node";
import { expect } from "chai";
import { isNotFound, toKubeError } from "../../../lib/adapters/kube/errors";
import { KubeApiError, KubeConflictError } from "../../../lib/ports/kube-errors";

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code });

describe("Kubernetes API error mapping", () => {
  it("turns a 409 Conflict ApiException into KubeConflictError with the Status reason and message", () => {
    const cause = new ApiException(409, "HTTP-Code: 409", status(409, "Conflict", "the object has been modified"), {});
    const err = toKubeError("patch CiliumNode n", cause);
    expect(err).to.be.instanceOf(KubeConflictError);
    expect(err.code).to.equal(409);
    expect(err.statusReason).to.equal("Conflict");
    expect(err.reason).to.equal("KubeConflict");
    expect(err.message).to.equal("patch CiliumNode n: the object has been modified");
    expect(err.cause).to.equal(cause);
  });

  it("keeps AlreadyExists visible as the reason of a 409 on create", () => {
    const err = toKubeError("create", new ApiException(409, "x", status(409, "AlreadyExists", "exists"), {}));
    expect(err).to.be.instanceOf(KubeConflictError);
    expect(err.statusReason).to.equal("AlreadyExists");
  });

  it("maps other statuses to KubeApiError that is not a conflict", () => {
    const err = toKubeError("get", new ApiException(403, "x", status(403, "Forbidden", "cannot get ciliumnodes"), {}));
    expect(err).to.be.instanceOf(KubeApiError);
    expect(err).to.not.be.instanceOf(KubeConflictError);
    expect(err.reason).to.equal("KubeForbidden");
    expect(err.context).to.include({ statusCode: 403, operation: "get" });
  });

  it("names the status when the body is not a Status (a proxy's HTML page)", () => {
    const err = toKubeError("get", new ApiException(503, "x", "<html>unavailable</html>", {}));
    expect(err.statusReason).to.equal("ServiceUnavailable");
    expect(err.message).to.contain("unavailable");
  });

  it("reports an aborted request as a client-side timeout without a status code", () => {
    const err = toKubeError("get", new AbortError("The operation was aborted."));
    expect(err.statusReason).to.equal("ClientTimeout");
    expect(err.code).to.equal(undefined);
  });

  it("reports a refused connection as Unreachable", () => {
    const err = toKubeError(
      "get",
      new FetchError("request failed, reason: connect ECONNREFUSED", "system", { code: "ECONNREFUSED" } as never),
    );
    expect(err.statusReason).to.equal("Unreachable");
    expect(err.message).to.contain("ECONNREFUSED");
  });
});

describe("not-found detection", () => {
  it("treats a 404 NotFound naming the object as absent, but not the 404 of a resource type that is not served", () => {
    const objectMissing = JSON.stringify({
      kind: "Status",
      status: "Failure",
      reason: "NotFound",
      message: 'ciliumnodes.cilium.io "n" not found',
      details: { name: "n", group: "cilium.io", kind: "ciliumnodes" },
      code: 404,
    });
    const typeMissing = JSON.stringify({
      kind: "Status",
      status: "Failure",
      reason: "NotFound",
      message: "the server could not find the requested resource",
      details: {},
      code: 404,
    });
    expect(isNotFound(new ApiException(404, "x", objectMissing, {}))).to.equal(true);
    expect(isNotFound(new ApiException(404, "x", typeMissing, {}))).to.equal(false);
    expect(isNotFound(new ApiException(404, "x", "404 page not found", {}))).to.equal(false);
    expect(isNotFound(new ApiException(403, "x", status(403, "Forbidden", "no"), {}))).to.equal(false);
  });
});
