import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOciAdapters, createOciClients } from "../../../lib/adapters/oci";
import { createAuthProvider } from "../../../lib/adapters/oci/auth";
import { OcipamError } from "../../../lib/errors";
import { silentLogger } from "../../../lib/log";
import type { OciApiError } from "../../../lib/ports/oci-errors";
import { apiKeyAuth, rejection, startFixture, suiteKey, type Fixture } from "./emulator-fixture";

const RP_VARS = [
  "OCI_RESOURCE_PRINCIPAL_VERSION",
  "OCI_RESOURCE_PRINCIPAL_RPST",
  "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM",
  "OCI_RESOURCE_PRINCIPAL_REGION",
] as const;

/**
 * An unsigned RPST-shaped JWT (header.payload.signature) that is valid for an hour; only its claims are read locally.
 */
function fakeRpst(): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ exp: now + 3600, iat: now, res_compartment: "ocid1.compartment.oc1..c", res_tenant: "ocid1.tenancy.oc1..t" })}.c2ln`;
}

describe("OCI clients and authentication kinds", () => {
  let f: Fixture;
  let dir: string;
  const saved: Partial<Record<(typeof RP_VARS)[number], string | undefined>> = {};
  beforeEach(async () => {
    f = await startFixture();
    dir = mkdtempSync(join(tmpdir(), "ocipam-oci-"));
    for (const k of RP_VARS) saved[k] = process.env[k];
  });
  afterEach(async () => {
    for (const k of RP_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(dir, { recursive: true, force: true });
    await f.close();
  });

  it("applies the endpoint after the region: every client gets the base URL plus /20160918", async () => {
    const clients = await createOciClients({
      auth: apiKeyAuth(f.emulator),
      region: "us-phoenix-1",
      endpoint: `${f.emulator.endpoint}/`,
    });
    try {
      for (const c of [clients.compute, clients.network, clients.workRequests])
        expect(c.endpoint).to.equal(`${f.emulator.endpoint}/20160918`);
    } finally {
      clients.close();
    }
  });

  it("uses the region's public endpoint when no endpoint is given", async () => {
    const clients = await createOciClients({ auth: apiKeyAuth(f.emulator), region: "us-phoenix-1" });
    try {
      expect(clients.network.endpoint).to.match(/^https:\/\/iaas\.us-phoenix-1\.\S*oraclecloud\.com\/20160918$/);
      expect(clients.compute.endpoint).to.match(/^https:\/\/iaas\.us-phoenix-1\.\S*oraclecloud\.com\/20160918$/);
    } finally {
      clients.close();
    }
  });

  it("authenticates from an OCI config file and profile", async () => {
    const written = f.emulator.writeOciConfig(dir, "DEFAULT");
    const clients = await createOciClients({
      auth: { kind: "config-file", path: written.configPath, profile: written.profile },
      endpoint: f.emulator.endpoint,
    });
    try {
      const adapters = createOciAdapters({ clients, log: silentLogger() });
      const i = await adapters.compute.getInstance(f.world.instances[0].id);
      expect(i.id).to.equal(f.world.instances[0].id);
    } finally {
      clients.close();
    }
  });

  it("fails with OciAuthUnavailable naming the auth kind when the config file is missing", async () => {
    const err = await rejection(() =>
      createOciClients({ auth: { kind: "config-file", path: join(dir, "absent"), profile: "DEFAULT" } }),
    );
    expect(err).to.be.instanceOf(OcipamError);
    expect((err as OcipamError).reason).to.equal("OciAuthUnavailable");
    expect((err as OcipamError).context).to.include({ authKind: "config-file" });
    expect((err as OcipamError).cause).to.exist;
  });

  it("fails with OciAuthUnavailable when an API key cannot be parsed", async () => {
    const c = f.emulator.credentials;
    const err = await rejection(() =>
      createOciClients({
        auth: {
          kind: "api-key",
          tenancy: c.tenancyId,
          user: c.userId,
          fingerprint: c.fingerprint,
          privateKey: "not a key",
          region: c.region,
        },
      }),
    );
    expect((err as OcipamError).reason).to.equal("OciAuthUnavailable");
  });

  it(
    "builds a resource-principal provider from the " + "OCI_RESOURCE_PRINCIPAL_* variables and signs as ST$<token>",
    async () => {
      const pem = join(dir, "rp.pem");
      writeFileSync(pem, suiteKey());
      const rpst = fakeRpst();
      Object.assign(process.env, {
        OCI_RESOURCE_PRINCIPAL_VERSION: "2.2",
        OCI_RESOURCE_PRINCIPAL_RPST: rpst,
        OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM: pem,
        OCI_RESOURCE_PRINCIPAL_REGION: "iad",
      });
      const provider = await createAuthProvider({ kind: "resource-principal" });
      expect(await provider.getKeyId()).to.equal(`ST$${rpst}`);
      // The emulator knows no resource principals: the signed request is answered 401 and mapped, not retried.
      const clients = await createOciClients({ auth: { kind: "resource-principal" }, endpoint: f.emulator.endpoint });
      try {
        const adapters = createOciAdapters({ clients, log: silentLogger() });
        const err = (await rejection(() => adapters.compute.getInstance(f.world.instances[0].id))) as OciApiError;
        expect({ status: err.statusCode, code: err.serviceCode, retryable: err.retryable }).to.deep.equal({
          status: 401,
          code: "NotAuthenticated",
          retryable: false,
        });
        expect(f.emulator.admin.counters().GetInstance).to.equal(1);
      } finally {
        clients.close();
      }
    },
  );

  it("fails with OciAuthUnavailable when the resource-principal variables are missing", async () => {
    for (const k of RP_VARS) delete process.env[k];
    const err = await rejection(() => createOciClients({ auth: { kind: "resource-principal" } }));
    expect((err as OcipamError).reason).to.equal("OciAuthUnavailable");
    expect((err as OcipamError).message).to.match(/OCI_RESOURCE_PRINCIPAL_VERSION/);
  });
});
