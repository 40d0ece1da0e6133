import { expect } from "chai";
import { ConfigError } from "../../../lib/errors";
import { ALLOCATOR_CONFIG_KEYS, loadAllocatorConfig } from "../../../lib/config/allocator-config";
import { parseConfigText } from "../../../lib/config/config-file";
import { caughtSync } from "../../support/capture";

const minimal = {
  OCIPAM_CLUSTER_NAME: "prod-1",
  OCIPAM_COMPARTMENT_IDS: "ocid1.compartment.oc1..aaa, ocid1.compartment.oc1..bbb",
  OCIPAM_VCN_ID: "ocid1.vcn.oc1.phx.vvv",
  OCIPAM_KUBE_API_SERVER: "https://10.0.0.5:6443",
  OCIPAM_KUBE_TOKEN_SECRET_ID: "ocid1.vaultsecret.oc1.phx.sss",
};

const configError = (values: Record<string, string>): ConfigError => {
  const err = caughtSync<ConfigError>(() => loadAllocatorConfig(values), "loading the configuration");
  expect(err).to.be.instanceOf(ConfigError);
  return err;
};

describe("allocator configuration", () => {
  it("applies the documented defaults to a minimal configuration", () => {
    const config = loadAllocatorConfig(minimal);
    expect(config.planner).to.deep.include({
      clusterName: "prod-1",
      ipsPerVnic: 31,
      firstInterfaceIndex: 0,
      releaseExcessIps: false,
      excessIpReleaseDelaySeconds: 180,
    });
    expect(config.compartmentIds).to.deep.equal(["ocid1.compartment.oc1..aaa", "ocid1.compartment.oc1..bbb"]);
    expect(config.networkCompartmentId).to.equal("ocid1.compartment.oc1..aaa");
    expect(config.oci.auth).to.equal("resource_principal");
    expect(config.kube).to.include({ auth: "vault", requestTimeoutMs: 10000 });
  });

  it("documents a default or marks required for every key", () => {
    for (const key of ALLOCATOR_CONFIG_KEYS) expect(key.description.length, key.key).to.be.greaterThan(10);
  });

  const rejections: Array<[string, Record<string, string>, string, RegExp]> = [
    ["a missing cluster name", { ...minimal, OCIPAM_CLUSTER_NAME: "" }, "OCIPAM_CLUSTER_NAME", /required/],
    [
      "a cluster name with spaces",
      { ...minimal, OCIPAM_CLUSTER_NAME: "my cluster" },
      "OCIPAM_CLUSTER_NAME",
      /letters, digits/,
    ],
    [
      "a compartment list holding another OCID type",
      { ...minimal, OCIPAM_COMPARTMENT_IDS: "ocid1.tenancy.oc1..x" },
      "OCIPAM_COMPARTMENT_IDS",
      /not a compartment OCID/,
    ],
    ["a non-integer IPs per VNIC", { ...minimal, OCIPAM_IPS_PER_VNIC: "31.5" }, "OCIPAM_IPS_PER_VNIC", /integer/],
    [
      "an out-of-range IPs per VNIC",
      { ...minimal, OCIPAM_IPS_PER_VNIC: "0" },
      "OCIPAM_IPS_PER_VNIC",
      /between 1 and 256/,
    ],
    ["tags without '='", { ...minimal, OCIPAM_SUBNET_TAGS: "role" }, "OCIPAM_SUBNET_TAGS", /key=value/],
    [
      "a boolean that is not one",
      { ...minimal, OCIPAM_RELEASE_EXCESS_IPS: "maybe" },
      "OCIPAM_RELEASE_EXCESS_IPS",
      /true or false/,
    ],
    ["an unknown auth kind", { ...minimal, OCIPAM_OCI_AUTH: "password" }, "OCIPAM_OCI_AUTH", /one of/],
    [
      "vault auth without its secret",
      { ...minimal, OCIPAM_KUBE_TOKEN_SECRET_ID: "" },
      "OCIPAM_KUBE_TOKEN_SECRET_ID",
      /required when OCIPAM_KUBE_AUTH=vault/,
    ],
    ["kubeconfig auth without a file", { ...minimal, OCIPAM_KUBE_AUTH: "kubeconfig" }, "OCIPAM_KUBECONFIG", /required/],
    [
      "an endpoint that is not a URL",
      { ...minimal, OCIPAM_OCI_ENDPOINT: "localhost:8080" },
      "OCIPAM_OCI_ENDPOINT",
      /http\(s\) URL/,
    ],
    ["a misspelt key", { ...minimal, OCIPAM_IPS_PER_NIC: "31" }, "OCIPAM_IPS_PER_NIC", /not a known configuration key/],
    [
      "a CA that is neither PEM nor base64 of one",
      { ...minimal, OCIPAM_KUBE_CA_CERT: "bm90IGEgY2VydA==" },
      "OCIPAM_KUBE_CA_CERT",
      /neither a PEM/,
    ],
  ];
  for (const [what, values, key, message] of rejections) {
    it(`rejects ${what}, naming ${key}`, () => {
      const err = configError(values);
      expect(err.key).to.equal(key);
      expect(err.message).to.match(message);
    });
  }

  it("reads KEY=value files with comments, export and quotes, and names a bad line", () => {
    expect(parseConfigText('# c\nexport OCIPAM_A=1\nOCIPAM_B = "two words"\n\n', "f")).to.deep.equal({
      OCIPAM_A: "1",
      OCIPAM_B: "two words",
    });
    expect(() => parseConfigText("OCIPAM_A=1\nnot a line\n", "f")).to.throw(ConfigError, /f:2/);
  });
});
