import type { IncomingMessage, ServerResponse } from "node:http";
import type { OciOperation } from "../../oci/permissions";
import type { EmulatorAdmin } from "./admin";
import type { FaultSpec } from "./faults";
import type { OperationFamily } from "./operations";
import type { BucketSpec } from "./throttle";
import { send } from "./server";

/**
 * The admin surface over HTTP, under `/_emulator/` (outside OCI's versioned paths, unauthenticated: the emulator
 * listens on loopback). Bodies and answers are JSON.
 *
 *   GET    /_emulator/counters              calls per operation       POST /_emulator/counters/reset
 *   GET    /_emulator/counters/by-status    calls per operation and status
 *   GET    /_emulator/world                 snapshot of the world
 *   GET    /_emulator/events                emitted OCI Events envelopes
 *   POST   /_emulator/faults                FaultSpec → {id}          DELETE /_emulator/faults[/{id}]
 *   POST   /_emulator/throttle              {target, capacity, refillPerSecond} (or {target, remove: true})
 *   POST   /_emulator/instances             InstanceSpec (+ running) → instance
 *   POST   /_emulator/instances/{id}/terminate
 *   POST   /_emulator/subnets | /nsgs | /streams | /vcns | /compartments   spec → created object
 *   POST   /_emulator/policies              {statements: [...], enforce?: boolean}
 *   POST   /_emulator/retry-tokens/expire
 */
export async function handleAdmin(
  admin: EmulatorAdmin,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator");
  const method = (req.method ?? "GET").toUpperCase();
  const path = url.pathname.replace(/^\/_emulator/, "").replace(/\/$/, "");
  const json = (status: number, value: unknown) => send(res, status, value, {});
  try {
    const input = body.length > 0 ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
    const route = `${method} ${path}`;
    if (route === "GET /counters") return json(200, admin.counters());
    if (route === "GET /counters/by-status") return json(200, admin.countersByStatus());
    if (route === "POST /counters/reset") return (admin.resetCounters(), json(200, {}));
    if (route === "GET /world") return json(200, admin.snapshot());
    if (route === "GET /events") return json(200, admin.events());
    if (route === "POST /faults") return json(200, { id: admin.injectFault(input as unknown as FaultSpec) });
    if (route === "DELETE /faults") return (admin.clearFaults(), json(200, {}));
    const fault = method === "DELETE" ? /^\/faults\/(\d+)$/.exec(path) : null;
    if (fault) return (admin.removeFault(Number(fault[1])), json(200, {}));
    if (route === "POST /throttle") {
      const target = input.target as OperationFamily | OciOperation;
      admin.setThrottle(target, input.remove ? null : (input as unknown as BucketSpec));
      return json(200, {});
    }
    if (route === "POST /instances") {
      const { running, ...spec } = input;
      return json(200, admin.launchInstance(spec as never, { running: running === true }));
    }
    const terminate = method === "POST" ? /^\/instances\/([^/]+)\/terminate$/.exec(path) : null;
    if (terminate) {
      return json(200, admin.terminateInstance(decodeURIComponent(terminate[1])));
    }
    if (route === "POST /subnets") return json(200, admin.createSubnet(input as never));
    if (route === "POST /nsgs") return json(200, admin.createNsg(input as never));
    if (route === "POST /streams") return json(200, admin.createStream(input as never));
    if (route === "POST /vcns") return json(200, admin.createVcn(input as never));
    if (route === "POST /compartments") return json(200, admin.createCompartment(input as never));
    if (route === "POST /policies") {
      admin.setPolicies((input.statements as string[]) ?? []);
      if (typeof input.enforce === "boolean") admin.setEnforceIam(input.enforce);
      return json(200, {});
    }
    if (route === "POST /retry-tokens/expire") return (admin.expireRetryTokens(), json(200, {}));
    return json(404, { code: "NotFound", message: `no admin route ${route}` });
  } catch (err) {
    return json(400, { code: "InvalidParameter", message: err instanceof Error ? err.message : String(err) });
  }
}
