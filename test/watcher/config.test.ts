import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadWatcherConfig, pickWatcherKeys, WATCHER_CONFIG_KEYS } from "../../events/watcher/config";
import { buildProgram } from "../../lib/cli/main";
import { ConfigError } from "../../lib/errors";
import { caughtSync } from "../support/capture";

const REQUIRED = {
  OCIPAM_WATCHER_CLUSTER_NAME: "prod",
  OCIPAM_WATCHER_STREAM_ID: "ocid1.stream.oc1.iad.aaaa",
  OCIPAM_WATCHER_STREAM_ENDPOINT: "https://cell-1.streaming.us-ashburn-1.oci.oraclecloud.com/",
};

function configError(values: Record<string, string>): ConfigError {
  const load = () => loadWatcherConfig({ ...REQUIRED, ...values }, { hostname: "pod-1" });
  const err = caughtSync(load, "loading the configuration");
  if (err instanceof ConfigError) return err;
  throw err;
}

describe("watcher configuration", () => {
  it("fills every default for an in-cluster replica", () => {
    const c = loadWatcherConfig(REQUIRED, { hostname: "ocipam-watcher-7d9c-abcde" });
    expect(c).to.deep.include({
      clusterName: "prod",
      identity: "ocipam-watcher-7d9c-abcde",
      stream: {
        id: "ocid1.stream.oc1.iad.aaaa",
        endpoint: "https://cell-1.streaming.us-ashburn-1.oci.oraclecloud.com",
      },
      resyncMs: 60_000,
      nudgeExcess: false,
      failureRetryMs: 2_000,
      batch: { flushMs: 100, maxMessages: 500, maxBytes: 1_048_576 },
      http: { host: "0.0.0.0", port: 9090 },
      oci: { auth: "instance_principal", profile: "DEFAULT" },
      logLevel: "info",
    });
    expect(c.leaderElection).to.deep.equal({
      enabled: true,
      namespace: "ocipam-system",
      name: "ocipam-watcher-leader",
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
    expect(c.kube).to.deep.equal({ auth: "in_cluster", requestTimeoutMs: 10_000 });
    expect(c.watch.watchdogMs).to.equal(180_000);
  });

  it("takes fractional seconds, so tests can scale time down", () => {
    expect(
      loadWatcherConfig({ ...REQUIRED, OCIPAM_WATCHER_RESYNC_SECONDS: "0.25" }, { hostname: "h" }).resyncMs,
    ).to.equal(250);
  });

  it("prefers an explicit identity over the host name", () => {
    expect(
      loadWatcherConfig({ ...REQUIRED, OCIPAM_WATCHER_IDENTITY: "replica-a" }, { hostname: "h" }).identity,
    ).to.equal("replica-a");
  });

  it("defaults the local files under the home directory for config_file and kubeconfig access", () => {
    const c = loadWatcherConfig(
      { ...REQUIRED, OCIPAM_WATCHER_OCI_AUTH: "config_file", OCIPAM_WATCHER_KUBE_AUTH: "kubeconfig" },
      { hostname: "h", homeDir: "/home/dev" },
    );
    expect(c.oci).to.deep.equal({ auth: "config_file", configFile: "/home/dev/.oci/config", profile: "DEFAULT" });
    expect(c.kube).to.deep.include({ auth: "kubeconfig", kubeconfig: "/home/dev/.kube/config" });
  });

  const errors: Array<[string, Record<string, string>, string]> = [
    ["names a missing required key", { OCIPAM_WATCHER_STREAM_ID: "" }, "OCIPAM_WATCHER_STREAM_ID"],
    [
      "refuses an unknown OCIPAM_WATCHER_ key (a typo would silently fall back to a default)",
      { OCIPAM_WATCHER_RESYNC_SECOND: "5" },
      "OCIPAM_WATCHER_RESYNC_SECOND",
    ],
    [
      "refuses an OCID of another resource type as the stream",
      { OCIPAM_WATCHER_STREAM_ID: "ocid1.streampool.oc1..x" },
      "OCIPAM_WATCHER_STREAM_ID",
    ],
    [
      "refuses a stream endpoint that is not an http(s) URL",
      { OCIPAM_WATCHER_STREAM_ENDPOINT: "cell-1.streaming" },
      "OCIPAM_WATCHER_STREAM_ENDPOINT",
    ],
    [
      "refuses a renew deadline that is not shorter than the lease",
      { OCIPAM_WATCHER_LEASE_RENEW_DEADLINE_SECONDS: "15" },
      "OCIPAM_WATCHER_LEASE_RENEW_DEADLINE_SECONDS",
    ],
    [
      "refuses a retry period too close to the renew deadline",
      { OCIPAM_WATCHER_LEASE_RETRY_SECONDS: "9" },
      "OCIPAM_WATCHER_LEASE_RETRY_SECONDS",
    ],
    [
      "refuses a batch byte cap above Streaming's 1 MiB request limit",
      { OCIPAM_WATCHER_BATCH_MAX_BYTES: "2000000" },
      "OCIPAM_WATCHER_BATCH_MAX_BYTES",
    ],
    ["refuses an unknown OCI auth kind", { OCIPAM_WATCHER_OCI_AUTH: "resource_principal" }, "OCIPAM_WATCHER_OCI_AUTH"],
    ["refuses a negative resync interval", { OCIPAM_WATCHER_RESYNC_SECONDS: "-1" }, "OCIPAM_WATCHER_RESYNC_SECONDS"],
    ["refuses a boolean it cannot read", { OCIPAM_WATCHER_NUDGE_EXCESS: "maybe" }, "OCIPAM_WATCHER_NUDGE_EXCESS"],
  ];
  for (const [name, values, key] of errors) {
    it(name, () => expect(configError(values).key).to.equal(key));
  }

  it("keeps only OCIPAM_WATCHER_ keys from an environment", () => {
    expect(
      pickWatcherKeys({ HOME: "/root", OCIPAM_CLUSTER_NAME: "x", OCIPAM_WATCHER_RESYNC_SECONDS: "5" }),
    ).to.deep.equal({ OCIPAM_WATCHER_RESYNC_SECONDS: "5" });
  });

  it("documents every key with its default in events/watcher/README.md", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "events", "watcher", "README.md"), "utf8");
    for (const k of WATCHER_CONFIG_KEYS) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${k.key}\``));
      expect(row, k.key).to.be.a("string");
      if (k.default !== undefined) expect(row, k.key).to.include(`\`${k.default}\``);
    }
  });

  it("makes `ocipam watch` fail with the missing key's name", async () => {
    const saved = pickWatcherKeys(process.env);
    for (const k of Object.keys(saved)) delete process.env[k];
    try {
      const program = buildProgram().exitOverride();
      const err = await program.parseAsync(["node", "ocipam", "watch"]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).key).to.equal("OCIPAM_WATCHER_CLUSTER_NAME");
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
