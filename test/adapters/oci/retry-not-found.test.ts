import { expect } from "chai";
import * as common from "oci-common";
import { checkPoliciesHint, OciNotAuthorizedOrNotFoundError } from "../../../lib/adapters/oci/not-authorized";
import { RetryPolicy } from "../../../lib/adapters/oci/retry";
import { retryDecision, type RetryDecision } from "../../../lib/adapters/oci/retry-decision";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { VirtualClock } from "./virtual-clock";
import { caught } from "../../support/capture";

function sdkError(status: number, code: string): common.OciError {
  return new common.OciError(
    status,
    code,
    `${code} (test)`,
    `req-${status}-${code}`,
    "Core",
    "GetVnic",
    new Date().toISOString(),
    "GET http://x/20160918/vnics/v",
    "",
  );
}
const apiError = (status: number | undefined, code?: string) =>
  new OciApiError("GetVnic", "x", { statusCode: status, serviceCode: code });

describe("OCI retry decision, as OCI's error table documents", () => {
  const rows: Array<[number | undefined, string | undefined, RetryDecision]> = [
    [429, "TooManyRequests", "retry"],
    [409, "IncorrectState", "retry"],
    [409, "ExternalServerIncorrectState", "retry"],
    [500, "InternalServerError", "retry"],
    [503, undefined, "retry"],
    [undefined, undefined, "retry"],
    [404, "NotAuthorizedOrNotFound", "iam-window"],
    [404, undefined, "iam-window"],
    [400, "RelatedResourceNotAuthorizedOrNotFound", "iam-window"],
    [404, "NotFound", "final"],
    [400, "InvalidParameter", "final"],
    [400, "LimitExceeded", "final"],
    [401, "NotAuthenticated", "final"],
    [409, "Conflict", "final"],
    [409, "InvalidatedRetryToken", "final"],
    [412, "NoEtagMatch", "final"],
  ];
  for (const [status, code, decision] of rows) {
    it(`decides ${decision} for ${status ?? "no answer"} ${code ?? ""}`.trim(), () =>
      expect(retryDecision(apiError(status, code))).to.equal(decision),
    );
  }
});

describe("OCI retry policy: NotAuthorizedOrNotFound during IAM propagation", () => {
  const policy = (clock: VirtualClock, options: ConstructorParameters<typeof RetryPolicy>[0] = {}) =>
    new RetryPolicy({
      random: () => 0.5,
      now: clock.now,
      sleep: clock.sleep,
      setTimer: clock.setTimer,
      maxAttempts: 20,
      ...options,
    });
  function script(clock: VirtualClock, failures: unknown[]) {
    const starts: number[] = [];
    return {
      starts,
      fn: async () => {
        starts.push(clock.now());
        const next = failures.shift();
        if (next !== undefined) throw next;
        return "ok";
      },
    };
  }
  const HINT = "check that the allocator's policies grant {VNIC_READ} in the network compartment";
  const many404 = () => Array.from({ length: 50 }, () => sdkError(404, "NotAuthorizedOrNotFound"));

  it("retries a 404 with backoff and returns the answer once the policy applies", async () => {
    const clock = new VirtualClock();
    const { fn, starts } = script(clock, [
      sdkError(404, "NotAuthorizedOrNotFound"),
      sdkError(404, "NotAuthorizedOrNotFound"),
    ]);
    expect(await clock.run(policy(clock).run("GetVnic", fn))).to.deep.equal({ value: "ok", attempts: 3 });
    expect(starts.map((t) => t - starts[0])).to.deep.equal([0, 100, 300]);
  });

  it("stops at the window's end with a typed error naming the operation, permissions and compartment", async () => {
    const clock = new VirtualClock();
    const { fn, starts } = script(clock, many404());
    const err = await caught<OciNotAuthorizedOrNotFoundError>(() =>
      clock.run(policy(clock, { notFoundWindowMs: 1000 }).run("GetVnic", fn, { checkPolicies: HINT })),
    );
    expect(err).to.be.instanceOf(OciNotAuthorizedOrNotFoundError).and.instanceOf(OciApiError);
    expect(err).to.include({
      statusCode: 404,
      serviceCode: "NotAuthorizedOrNotFound",
      reason: "OciNotAuthorizedOrNotFound",
      notFound: true,
      operation: "GetVnic",
    });
    expect(err.context).to.include({ retriesStopped: "not-found-window", checkPolicies: HINT, attempts: 4 });
    expect(err.message).to.match(/^GetVnic: NotAuthorizedOrNotFound \(test\) \(answered 4 time\(s\) over 700 ms; IAM/);
    expect(err.message).to.contain(`If the object exists, ${HINT}`);
    expect(err.opcRequestId).to.equal("req-404-NotAuthorizedOrNotFound");
    // 0, +100, +200, +400 (= 700); the next wait (800) would end past the 1000 ms window.
    expect(starts.map((t) => t - starts[0])).to.deep.equal([0, 100, 300, 700]);
  });

  it("throws the first 404 at once when the caller treats not-found as gone", async () => {
    const clock = new VirtualClock();
    const { fn, starts } = script(clock, many404());
    const err = await caught<OciApiError>(() =>
      clock.run(policy(clock).run("DeletePrivateIp", fn, { notFoundIsGone: true, checkPolicies: HINT })),
    );
    expect(err).to.be.instanceOf(OciApiError).and.not.instanceOf(OciNotAuthorizedOrNotFoundError);
    expect(err.notFound).to.equal(true);
    expect(err.context.retriesStopped).to.equal("not-found-is-gone");
    expect(starts).to.have.length(1);
    expect(clock.now() - starts[0]).to.equal(0);
  });

  it("never waits out the window past the caller's deadline", async () => {
    const clock = new VirtualClock();
    const { fn, starts } = script(clock, many404());
    const deadline = new Date(clock.now() + 600);
    const err = await caught<OciNotAuthorizedOrNotFoundError>(() =>
      clock.run(policy(clock, { notFoundWindowMs: 10_000 }).run("GetVnic", fn, { deadline })),
    );
    expect(err).to.be.instanceOf(OciNotAuthorizedOrNotFoundError);
    expect(err.context.retriesStopped).to.equal("deadline");
    for (const t of starts) expect(t + 250).to.be.at.most(deadline.getTime());
  });

  it("does not retry a 404 at all with a zero window", async () => {
    const clock = new VirtualClock();
    const { fn, starts } = script(clock, many404());
    const err = await caught<OciApiError>(() => clock.run(policy(clock, { notFoundWindowMs: 0 }).run("GetVnic", fn)));
    expect(err).to.be.instanceOf(OciNotAuthorizedOrNotFoundError);
    expect(starts).to.have.length(1);
  });
});

describe("what a persistent NotAuthorizedOrNotFound tells the operator to check", () => {
  const rows: Array<[string, Record<string, string>, RegExp]> = [
    ["GetInstance", { instance: "i1" }, /grant \{INSTANCE_READ\} in the compartment of instance i1/],
    [
      "ListVnicAttachments",
      { compartment: "cw", instance: "i1" },
      /grant \{INSTANCE_INSPECT, VNIC_ATTACHMENT_READ\} in compartment cw/,
    ],
    [
      "GetVnic",
      { vnic: "v1" },
      /grant \{VNIC_READ\} in the compartment of VNIC v1's subnet \(the network compartment\)/,
    ],
    [
      "UpdatePrivateIp",
      { privateIp: "p1" },
      /grant \{PRIVATE_IP_UPDATE, VNIC_ASSIGN, VNIC_UNASSIGN\} in the network compartment/,
    ],
    ["ListSubnets", { compartment: "cn", vcn: "vcn" }, /grant \{SUBNET_READ\} in compartment cn/],
    [
      "AttachVnic",
      { instance: "i1" },
      new RegExp(
        String.raw`\{INSTANCE_ATTACH_SECONDARY_VNIC\} in the compartment of instance i1 and ` +
          String.raw`\{SUBNET_ATTACH, VNIC_ATTACH, VNIC_CREATE\} in the network compartment`,
      ),
    ],
    ["GetWorkRequest", { workRequest: "w" }, /grant \{PRIVATE_IP_CREATE\} in the network compartment/],
  ];
  for (const [operation, fields, expected] of rows) {
    it(`names the permissions and compartment for ${operation}`, () =>
      expect(checkPoliciesHint(operation, fields)).to.match(expected));
  }
});
