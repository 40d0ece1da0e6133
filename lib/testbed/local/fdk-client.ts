import { request } from "node:http";
import { OcipamError } from "../../errors";

export interface FdkCallResult {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  durationMs: number;
}

/**
 * Invokes a function over its FDK unix socket exactly as the Fn agent does: `POST /call` with `Fn-Call-Id`,
 * `Fn-Deadline` (RFC 3339) and the payload (fnproject/fdk-node fn-fdk.js). Resolves with whatever
 * the FDK answers (200 with the handler's JSON, or 502 when the handler threw); rejects only when the socket fails
 * (the function process is gone or never listened).
 */
export function invokeOverSocket(
  socketPath: string,
  payload: string,
  options: { callId: string; deadline: Date; contentType?: string },
): Promise<FdkCallResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: "POST",
        path: "/call",
        headers: {
          "Fn-Call-Id": options.callId,
          "Fn-Deadline": options.deadline.toISOString(),
          "Content-Type": options.contentType ?? "application/json",
          "Content-Length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            statusCode: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            durationMs: Date.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    // The FDK has no timeout of its own; the caller's deadline plus a grace period bounds the wait.
    req.setTimeout(Math.max(options.deadline.getTime() - Date.now(), 0) + 5000, () =>
      req.destroy(
        new OcipamError("FunctionTimeout", `function did not answer call ${options.callId} before its deadline`),
      ),
    );
    req.on("error", (err) =>
      reject(
        new OcipamError(
          "FunctionUnreachable",
          `cannot invoke the function over ${socketPath}: ${err.message}`,
          {},
          { cause: err },
        ),
      ),
    );
    req.end(payload);
  });
}
