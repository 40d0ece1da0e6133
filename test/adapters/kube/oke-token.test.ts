import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import type { RequestOptions } from "node:https";
import { expect } from "chai";
import * as common from "oci-common";
import { OkeTokenAuthenticator, generateOkeToken } from "../../../lib/adapters/kube/oke-token";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const signer = new common.SimpleAuthenticationDetailsProvider(
  "ocid1.tenancy.oc1..t",
  "ocid1.user.oc1..u",
  "aa:bb",
  privateKey,
  null,
);
const clusterId = "ocid1.cluster.oc1.iad.c1";
const when = new Date(Date.UTC(2026, 10, 28, 1, 13, 35));

function decode(token: string): URL {
  expect(token).to.match(/^[A-Za-z0-9_-]+=*$/);
  return new URL(Buffer.from(token.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"));
}

describe("OKE token (oci ce cluster generate-token)", () => {
  it("is the base64url of the signed cluster_request URL with authorization and date query parameters", async () => {
    const url = decode(await generateOkeToken({ clusterId, region: "us-ashburn-1", signer, now: () => when }));
    expect(url.protocol).to.equal("https:");
    expect(url.host).to.equal("containerengine.us-ashburn-1.oraclecloud.com");
    expect(url.pathname).to.equal(`/cluster_request/${clusterId}`);
    expect([...url.searchParams.keys()]).to.deep.equal(["authorization", "date"]);
    expect(url.searchParams.get("date")).to.equal("Sat, 28 Nov 2026 01:13:35 GMT");
    const auth = url.searchParams.get("authorization") ?? "";
    expect(auth).to.match(
      /^Signature version="1",headers="date \(request-target\) host",keyId="ocid1\.tenancy\.oc1\.\.t\/ocid1\.user\.oc1\.\.u\/aa:bb",algorithm="rsa-sha256",signature="[A-Za-z0-9+/]+={0,2}"$/,
    );
  });

  it("carries a signature over date, request-target and host that the public key verifies", async () => {
    const url = decode(await generateOkeToken({ clusterId, region: "us-ashburn-1", signer, now: () => when }));
    const signature = /signature="([^"]+)"/.exec(url.searchParams.get("authorization") ?? "")?.[1] ?? "";
    const signingString =
      `date: Sat, 28 Nov 2026 01:13:35 GMT\n(request-target): get ` +
      `/cluster_request/${clusterId}\nhost: ` +
      `containerengine.us-ashburn-1.oraclecloud.com`;
    expect(
      verify("sha256", Buffer.from(signingString), createPublicKey(privateKey), Buffer.from(signature, "base64")),
    ).to.equal(true);
  });

  it("keeps base64 padding like Python's urlsafe_b64encode", async () => {
    const ids = ["c1", "c12", "c123", "c1234", "c12345", "c123456"].map((c) => `ocid1.cluster.oc1.iad.${c}`);
    const tokens = await Promise.all(
      ids.map((id) => generateOkeToken({ clusterId: id, region: "us-ashburn-1", signer, now: () => when })),
    );
    const urls = tokens.map((t) => Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"));
    // Six consecutive ids: some URL is not a multiple of 3 bytes long, so padding is at stake.
    expect(urls.some((u) => Buffer.byteLength(u) % 3 !== 0)).to.equal(true);
    urls.forEach((u, i) => {
      expect(tokens[i]).to.equal(Buffer.from(u, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_"));
    });
  });

  it("is reused by the authenticator until its refresh age, then regenerated", async () => {
    let now = when.getTime();
    const auth = new OkeTokenAuthenticator({ clusterId, region: "us-ashburn-1", signer }, 180_000, () => now);
    const first = await auth.token();
    now += 179_000;
    expect(await auth.token()).to.equal(first);
    now += 2_000;
    const second = await auth.token();
    expect(second).to.not.equal(first);
    const opts: RequestOptions = {};
    await auth.applyAuthentication({ name: "u" }, opts);
    expect((opts.headers as Record<string, unknown>).Authorization).to.equal(`Bearer ${second}`);
  });
});
