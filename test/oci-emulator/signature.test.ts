import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as common from "oci-common";
import * as core from "oci-core";
import type { OciEmulator, WorldSnapshot } from "../../lib/testbed/oci-emulator";
import { byName, clientsFor, expectOciError, failure, startWithClients, type Clients } from "./helpers";

/**
 * Signature checks, driven through the real SDK. To alter a request after the SDK signed it, the test wraps the
 * global `fetch` the SDK calls (oci-common/lib/http.js calls the global at request time) for one call.
 */
async function withFetch<T>(wrap: (input: Request) => Promise<Request>, fn: () => Promise<T>): Promise<T> {
  const real = globalThis.fetch;
  globalThis.fetch = (async (input: Request, init?: RequestInit) => real(await wrap(input), init)) as typeof fetch;
  try {
    return await fn();
  } finally {
    globalThis.fetch = real;
  }
}

describe("OCI emulator: request signatures", () => {
  let emulator: OciEmulator;
  let clients: Clients;
  let close: () => Promise<void>;
  let world: WorldSnapshot;

  beforeEach(async () => {
    ({ emulator, clients, close } = await startWithClients());
    world = emulator.admin.snapshot();
  });
  afterEach(async () => close());

  const primaryVnic = () => world.vnics.find((v) => v.isPrimary)!.id;

  it("accepts the SDK's signed GET and POST", async () => {
    await clients.vcn.getVnic({ vnicId: primaryVnic() });
    await clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId: primaryVnic() } });
  });

  it("answers 401 NotAuthenticated to a key the emulator does not know (same keyId, other key)", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const wrong = clientsFor(emulator, { ...emulator.credentials, privateKeyPem: other });
    const err = await failure(() => wrong.vcn.getVnic({ vnicId: primaryVnic() }));
    expect([err.statusCode, err.serviceCode]).to.deep.equal([401, "NotAuthenticated"]);
    expect(err.message).to.match(/signature does not verify/);
  });

  it("answers 401 NotAuthenticated to an unknown user or fingerprint", async () => {
    const stranger = clientsFor(emulator, { ...emulator.credentials, userId: "ocid1.user.oc1..stranger" });
    await expectOciError(
      () => stranger.compute.getInstance({ instanceId: world.instances[0].id }),
      401,
      "NotAuthenticated",
    );
    const badPrint = clientsFor(emulator, {
      ...emulator.credentials,
      fingerprint: "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff",
    });
    await expectOciError(
      () => badPrint.compute.getInstance({ instanceId: world.instances[0].id }),
      401,
      "NotAuthenticated",
    );
  });

  it("answers 401 NotAuthenticated when the body was changed after signing (x-content-sha256)", async () => {
    const tamper = async (req: Request) => {
      const body = (await req.text()).replace("pod-ip", "pod-iq"); // same length: only the digest differs
      return new Request(req.url, { method: req.method, headers: req.headers, body, duplex: "half" } as RequestInit);
    };
    const err = await withFetch(tamper, () =>
      failure(() =>
        clients.vcn.createPrivateIp({ createPrivateIpDetails: { vnicId: primaryVnic(), displayName: "pod-ip" } }),
      ),
    );
    expect([err.statusCode, err.serviceCode]).to.deep.equal([401, "NotAuthenticated"]);
    expect(err.message).to.match(/x-content-sha256 does not match/);
    expect(emulator.admin.snapshot().privateIps).to.have.length(world.privateIps.length);
  });

  it("answers 401 NotAuthenticated to an unsigned request", async () => {
    const strip = async (req: Request) => {
      const headers = new Headers(req.headers);
      headers.delete("authorization");
      return new Request(req.url, { method: req.method, headers });
    };
    const err = await withFetch(strip, () =>
      failure(() => clients.compute.getInstance({ instanceId: world.instances[0].id })),
    );
    expect([err.statusCode, err.serviceCode]).to.deep.equal([401, "NotAuthenticated"]);
    expect(err.message).to.match(/missing Authorization/);
  });

  it("answers 401 NotAuthenticated when the client's clock is more than 5 minutes off", async () => {
    const real = Date.prototype.toUTCString;
    Date.prototype.toUTCString = function (this: Date) {
      return real.call(new Date(this.getTime() - 6 * 60 * 1000));
    };
    try {
      const err = await failure(() => clients.compute.getInstance({ instanceId: world.instances[0].id }));
      expect([err.statusCode, err.serviceCode]).to.deep.equal([401, "NotAuthenticated"]);
      expect(err.message).to.match(/skew/);
    } finally {
      Date.prototype.toUTCString = real;
    }
  });

  it("accepts a client configured from the written OCI config file (key mode 0600)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ocipam-emu-"));
    try {
      const written = emulator.writeOciConfig(dir);
      expect(statSync(written.keyPath).mode & 0o777).to.equal(0o600);
      const auth = new common.ConfigFileAuthenticationDetailsProvider(written.configPath, written.profile);
      const compute = new core.ComputeClient({ authenticationDetailsProvider: auth });
      compute.endpoint = emulator.endpoint;
      const r = await compute.getInstance({ instanceId: byName(world.instances, "worker-bm-e4").id });
      expect(r.instance.shape).to.equal("BM.Standard.E4.128");
      compute.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
