import { expect } from "chai";
import { decodeSecretBundleToken } from "../../../lib/adapters/kube/vault-token";
import { InvalidInputError } from "../../../lib/errors";
import { caughtSync } from "../../support/capture";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2ln";

describe("Kubernetes token from an OCI Vault secret bundle", () => {
  it("decodes BASE64 content and trims the newline a pasted secret carries", () => {
    expect(
      decodeSecretBundleToken("ocid1.vaultsecret.x", { contentType: "BASE64", content: b64(`${jwt}\n`) }),
    ).to.equal(jwt);
  });

  it("rejects another content type, naming the secret", () => {
    expect(() => decodeSecretBundleToken("ocid1.vaultsecret.x", { contentType: "TEXT", content: jwt })).to.throw(
      InvalidInputError,
      /ocid1\.vaultsecret\.x.*BASE64/,
    );
  });

  it("rejects empty content and text that is not a single token, without echoing the secret", () => {
    expect(() => decodeSecretBundleToken("s", { contentType: "BASE64", content: "" })).to.throw(
      InvalidInputError,
      /empty/,
    );
    expect(() => decodeSecretBundleToken("s", undefined)).to.throw(InvalidInputError);
    const withTab = { contentType: "BASE64", content: b64("secret part\tother") };
    const err = caughtSync(() => decodeSecretBundleToken("s", withTab), "decoding a token with a tab");
    expect(err).to.be.instanceOf(InvalidInputError);
    expect(err.message).to.not.contain("secret part");
    expect(() => decodeSecretBundleToken("s", { contentType: "BASE64", content: "not base64!" })).to.throw(
      InvalidInputError,
      /not base64/,
    );
  });
});
