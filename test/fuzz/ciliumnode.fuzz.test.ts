import { expect } from "chai";
import { buildNudge, decodeNudge, type NodeNudgeType } from "../../events/contracts";
import { decideNudge } from "../../events/watcher/decision";
import { toCiliumNodeView } from "../../lib/adapters/kube/cilium-node-mapping";
import { Hostile, isDns1123Subdomain, prng } from "./hostile";

/**
 * CiliumNodes are written by every node's Cilium agent, so the watcher (and the function) read objects that one
 * compromised or buggy node controls. The API server enforces the CRD's structural schema, but the mapping must not
 * rely on it: any object maps to a view or is refused with a TypeError for unusable metadata, and the watcher's
 * decision always yields counts a nudge can carry.
 */
describe("fuzzing CiliumNode objects read by the watcher", () => {
  it(
    "maps any object to a view or refuses it for its metadata, and always " + "decides counts a valid nudge carries",
    () => {
      const h = new Hostile(prng(61));
      let mapped = 0;
      for (let i = 0; i < 3000; i++) {
        const ipMap = () =>
          Object.fromEntries(
            Array.from({ length: h.int(0, 6) }, () => [
              h.chance(0.5) ? `10.0.${h.int(0, 255)}.${h.int(0, 255)}` : h.string(),
              h.chance(0.7) ? { owner: h.value(), resource: h.value() } : h.value(),
            ]),
          );
        const object = {
          metadata: h.chance(0.9)
            ? {
                name: h.chance(0.8) ? `node-${i}` : h.value(),
                resourceVersion: h.chance(0.9) ? String(i) : h.value(),
                uid: h.value(),
                generation: h.value(),
              }
            : h.value(),
          spec: h.chance(0.9)
            ? {
                ipam: {
                  pool: ipMap(),
                  "pre-allocate": h.chance(0.5) ? h.int(0, 64) : h.value(),
                  "min-allocate": h.value(),
                  "max-allocate": h.value(),
                  "max-above-watermark": h.value(),
                },
                "instance-id": h.value(),
              }
            : h.value(),
          status: h.chance(0.9)
            ? {
                ipam: {
                  used: ipMap(),
                  "release-ips": Object.fromEntries([
                    [h.string(), h.pick(["marked-for-release", "released", h.string()])],
                  ]),
                },
              }
            : h.value(),
        };
        const context = `seed 61 case ${i}`;
        let view: ReturnType<typeof toCiliumNodeView>;
        try {
          view = toCiliumNodeView(object);
        } catch (err) {
          expect(err, context).to.be.instanceOf(TypeError);
          expect((err as Error).message, context).to.match(/metadata\.name or metadata\.resourceVersion/);
          continue;
        }
        mapped++;
        const decision = decideNudge(view.ipam, { nudgeExcess: true });
        for (const v of Object.values(decision.observed))
          expect(
            Number.isInteger(v) && v >= 0 && v <= 1_000_000,
            `${context}: ${JSON.stringify(decision.observed)}`,
          ).to.equal(true);
        // A name Kubernetes accepts for a node (the API server refuses others); the watcher logs and skips the rest.
        if (decision.reason && isDns1123Subdomain(view.name)) {
          const type = `io.ocipam.node.${decision.reason}` as NodeNudgeType;
          const nudge = buildNudge({ type, cluster: "local", node: view.name, observed: decision.observed });
          expect(decodeNudge(nudge).ok, context).to.equal(true);
        }
      }
      expect(mapped).to.be.greaterThan(1500);
    },
  );
});
