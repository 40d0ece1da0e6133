import { expect } from "chai";
import { ConfigError } from "../../../lib/errors";
import { loadAllocatorConfig } from "../../../lib/config/allocator-config";

const minimal = {
  OCIPAM_CLUSTER_NAME: "prod-1",
  OCIPAM_COMPARTMENT_IDS: "ocid1.compartment.oc1..aaa",
  OCIPAM_VCN_ID: "ocid1.vcn.oc1.phx.vvv",
  OCIPAM_KUBE_API_SERVER: "https://10.0.0.5:6443",
  OCIPAM_KUBE_TOKEN_SECRET_ID: "ocid1.vaultsecret.oc1.phx.sss",
};

describe("allocator configuration: prewarm and leak collection", () => {
  it("leaves prewarm off by default and collects leaks after 10 minutes, 50 deletions per run", () => {
    const config = loadAllocatorConfig(minimal);
    expect(config.prewarm).to.deep.equal({
      enabled: false,
      ips: 8,
      instanceTags: {},
      displayNamePattern: "",
      joinTimeoutSeconds: 900,
    });
    expect(config.collect).to.deep.equal({ gracePeriodSeconds: 600, maxDeletionsPerRun: 50 });
  });

  it("reads the prewarm filters and the collector limits", () => {
    const config = loadAllocatorConfig({
      ...minimal,
      OCIPAM_PREWARM_ON_LAUNCH: "true",
      OCIPAM_PREWARM_IPS: "16",
      OCIPAM_PREWARM_INSTANCE_TAGS: "oke-pool=workers,team=a",
      OCIPAM_PREWARM_DISPLAY_NAME_PATTERN: "^oke-",
      OCIPAM_PREWARM_JOIN_TIMEOUT: "300",
      OCIPAM_COLLECT_GRACE_PERIOD: "0",
      OCIPAM_COLLECT_MAX_DELETIONS: "5",
    });
    expect(config.prewarm).to.deep.equal({
      enabled: true,
      ips: 16,
      instanceTags: { "oke-pool": "workers", team: "a" },
      displayNamePattern: "^oke-",
      joinTimeoutSeconds: 300,
    });
    expect(config.collect).to.deep.equal({ gracePeriodSeconds: 0, maxDeletionsPerRun: 5 });
  });

  for (const [key, value] of [
    ["OCIPAM_PREWARM_DISPLAY_NAME_PATTERN", "(unclosed"],
    ["OCIPAM_PREWARM_IPS", "0"],
    ["OCIPAM_COLLECT_MAX_DELETIONS", "0"],
    ["OCIPAM_COLLECT_GRACE_PERIOD", "-1"],
    ["OCIPAM_PREWARM_INSTANCE_TAGS", "novalue"],
  ] as const) {
    it(`rejects ${key}=${value} naming the key`, () => {
      expect(() => loadAllocatorConfig({ ...minimal, [key]: value })).to.throw(ConfigError, key);
    });
  }
});
