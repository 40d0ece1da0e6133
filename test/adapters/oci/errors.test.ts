import { expect } from "chai";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as common from "oci-common";
import * as core from "oci-core";
import { createOciAdapters, createOciClients } from "../../../lib/adapters/oci";
import {
  CIRCUIT_OPEN_CODE,
  OciDeadlineError,
  OciUnexpectedError,
  toOciApiError,
} from "../../../lib/adapters/oci/errors";
import { RetryPolicy } from "../../../lib/adapters/oci/retry";
import { silentLogger } from "../../../lib/log";
import { OciApiError } from "../../../lib/ports/oci-errors";
import { apiKeyAuth, rejection, startFixture, suiteKey, type Fixture } from "./emulator-fixture";

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A VirtualNetworkClient with the SDK's defaults (circuit breaker on), signing as the emulator's principal. */
function rawNetworkClient(endpoint: string, f?: Fixture): core.VirtualNetworkClient {
  const c = f?.emulator.credentials;
  const auth = new common.SimpleAuthenticationDetailsProvider(
    c?.tenancyId ?? "ocid1.tenancy.oc1..t",
    c?.userId ?? "ocid1.user.oc1..u",
    c?.fingerprint ?? "aa:bb",
    suiteKey(),
    null,
    common.Region.US_ASHBURN_1,
  );
  const client = new core.VirtualNetworkClient({ authenticationDetailsProvider: auth });
  client.endpoint = endpoint;
  return client;
}

describe("OCI error mapping (real SDK error objects)", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture();
  });
  afterEach(async () => f.close());

  it(
    "maps an OciError from a real 404 answer with status, service code, " + "opc-request-id and the error as cause",
    async () => {
      const raw = await rejection(() => f.clients.network.getVnic({ vnicId: "ocid1.vnic.oc1.iad.nope" }));
      expect(raw).to.be.instanceOf(common.OciError);
      const e = toOciApiError("GetVnic", raw);
      expect(e).to.be.instanceOf(OciApiError);
      expect({
        status: e.statusCode,
        code: e.serviceCode,
        reason: e.reason,
        retryable: e.retryable,
        notFound: e.notFound,
      }).to.deep.equal({
        status: 404,
        code: "NotAuthorizedOrNotFound",
        reason: "OciNotAuthorizedOrNotFound",
        retryable: false,
        notFound: true,
      });
      expect(e.opcRequestId).to.equal((raw as common.OciError).opcRequestId);
      expect(e.cause).to.equal(raw);
      expect(e.message).to.match(/^GetVnic: /);
      expect(e.toJSON()).to.include({ statusCode: 404, serviceCode: "NotAuthorizedOrNotFound", operation: "GetVnic" });
    },
  );

  it(
    "maps real 429 and 409 answers so that TooManyRequests and " + "IncorrectState are retryable and Conflict is not",
    async () => {
      const cases: Array<[number, string, boolean]> = [
        [429, "TooManyRequests", true],
        [409, "IncorrectState", true],
        [409, "Conflict", false],
        [503, "ServiceUnavailable", true],
      ];
      for (const [status, code, retryable] of cases) {
        const id = f.emulator.admin.injectFault({ operation: "GetVnic", status, code, count: 1 });
        const e = toOciApiError("GetVnic", await rejection(() => f.clients.network.getVnic({ vnicId: "any" })));
        f.emulator.admin.removeFault(id);
        expect({ status: e.statusCode, code: e.serviceCode, retryable: e.retryable }).to.deep.equal({
          status,
          code,
          retryable,
        });
      }
    },
  );

  it(
    "maps the plain {message: 'fetch failed'} of a refused connection to a " + "retryable error without status",
    async () => {
      const client = rawNetworkClient(`http://127.0.0.1:${await closedPort()}`);
      const raw = await rejection(() => client.getVnic({ vnicId: "x" }));
      client.close();
      expect(raw).not.to.be.instanceOf(Error);
      expect((raw as { message: string }).message).to.equal("fetch failed");
      const e = toOciApiError("GetVnic", raw);
      expect({ status: e.statusCode, code: e.serviceCode, reason: e.reason, retryable: e.retryable }).to.deep.equal({
        status: undefined,
        code: undefined,
        reason: "OciUnreachable",
        retryable: true,
      });
      expect(e.cause).to.equal(raw);
    },
  );

  it(
    "retries a refused connection through the adapter and then throws " + "OciApiError with the attempts made",
    async () => {
      const port = await closedPort();
      const clients = await createOciClients({ auth: apiKeyAuth(f.emulator), endpoint: `http://127.0.0.1:${port}` });
      try {
        const adapters = createOciAdapters({
          clients,
          log: silentLogger(),
          policy: new RetryPolicy({ baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 }),
        });
        const e = (await rejection(() => adapters.network.getVnic("ocid1.vnic.oc1.iad.x"))) as OciApiError;
        expect(e).to.be.instanceOf(OciApiError);
        expect(e.reason).to.equal("OciUnreachable");
        expect(e.context).to.include({ attempts: 3, retriesStopped: "max-attempts" });
      } finally {
        clients.close();
      }
    },
  );

  it("maps EOPENBREAKER from a client whose default circuit breaker opened", async () => {
    // A client built without our configuration: the SDK's breaker opens after 10 retryable failures.
    const client = rawNetworkClient(f.emulator.endpoint, f);
    try {
      f.emulator.admin.injectFault({ operation: "GetVnic", status: 500 });
      let last: unknown;
      for (let i = 0; i < 12; i++) last = await rejection(() => client.getVnic({ vnicId: "x" }));
      expect(f.emulator.admin.counters().GetVnic, "calls 11 and 12 were not sent (volumeThreshold 10)").to.equal(10);
      const e = toOciApiError("GetVnic", last);
      expect({ status: e.statusCode, code: e.serviceCode, retryable: e.retryable }).to.deep.equal({
        status: undefined,
        code: CIRCUIT_OPEN_CODE,
        retryable: true,
      });
    } finally {
      client.close();
    }
  });

  it("keeps the breaker off in the adapters' clients: a dozen 500s are all sent and all answered 500", async () => {
    const adapters = createOciAdapters({
      clients: f.clients,
      log: silentLogger(),
      policy: new RetryPolicy({ maxAttempts: 1 }),
    });
    f.emulator.admin.injectFault({ operation: "GetVnic", status: 500 });
    for (let i = 0; i < 12; i++) {
      const e = (await rejection(() => adapters.network.getVnic("x"))) as OciApiError;
      expect(e.statusCode).to.equal(500);
    }
    expect(f.emulator.admin.countersByStatus().GetVnic).to.deep.equal({ 500: 12 });
  });

  it(
    "maps an error the SDK raises before sending (missing path parameter) " + "to a non-retryable OciUnexpectedError",
    async () => {
      const raw = await rejection(() => f.clients.network.getVnic({ vnicId: undefined as unknown as string }));
      expect(raw).to.be.instanceOf(Error);
      const e = toOciApiError("GetVnic", raw);
      expect(e).to.be.instanceOf(OciUnexpectedError);
      expect({ reason: e.reason, retryable: e.retryable }).to.deep.equal({ reason: "OciUnexpected", retryable: false });
    },
  );

  it("maps an attempt the adapter aborted to a retryable RequestTimeout", () => {
    const raw = {
      code: 23,
      message: "The operation was aborted due to timeout",
      requestEndpoint: "GET x",
      troubleshootingPage: "...",
    };
    const e = toOciApiError("GetVnic", raw, true);
    expect({ status: e.statusCode, code: e.serviceCode, retryable: e.retryable }).to.deep.equal({
      status: undefined,
      code: "RequestTimeout",
      retryable: true,
    });
  });

  it("treats the SDK's 'None' service code (an error body without code) as no code", async () => {
    const raw = new common.OciError(502, "None", "Bad Gateway", null, "Core", "GetVnic", "", "GET x", "");
    const e = toOciApiError("GetVnic", raw);
    expect({ status: e.statusCode, code: e.serviceCode, id: e.opcRequestId, retryable: e.retryable }).to.deep.equal({
      status: 502,
      code: undefined,
      id: undefined,
      retryable: true,
    });
  });

  it("passes an OciApiError through unchanged and gives deadline errors their own reason", () => {
    const original = new OciApiError("GetVnic", "x", { statusCode: 500 });
    expect(toOciApiError("GetVnic", original)).to.equal(original);
    const d = new OciDeadlineError("GetVnic", "late", { cause: original });
    expect({ reason: d.reason, retryable: d.retryable, cause: d.cause }).to.deep.equal({
      reason: "OciDeadlineExceeded",
      retryable: true,
      cause: original,
    });
  });
});
