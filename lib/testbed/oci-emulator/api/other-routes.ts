import { workRequestPermissions } from "../../../oci/permissions";
import { notFound } from "../http/errors";
import { createCursor, getMessages, putMessages } from "../world/streams";
import { workRequestView } from "../world/views";
import type { World } from "../world/world";
import { objectReply } from "./compute-routes";
import { listReply } from "./paging";
import type { AuthTarget, Route } from "./route";

/**
 * Work requests (oci-workrequests WorkRequestClient, which VirtualNetworkWaiter uses for BulkCreatePrivateIps:
 * GET /20160918/workRequests/{id} and /errors) and Streaming (oci-streaming StreamClient, API version 20180418:
 * POST /streams/{id}/messages, POST /streams/{id}/cursors, GET /streams/{id}/messages).
 */

function workRequestOr404(world: World, id: string) {
  const w = world.workRequests.get(id);
  if (!w) throw notFound(`WorkRequest ${id}`);
  return w;
}

function streamOr404(world: World, id: string) {
  const s = world.streams.get(id);
  if (!s) throw notFound(`Stream ${id}`);
  return s;
}

/**
 * Work requests have no permission of their own: they "inherit the permissions of the operation that spawns" them,
 * "generally <RESOURCE>_CREATE" (Permissions Required for Each API Operation, "Work Requests API Operations"), checked
 * in the work request's compartment (lib/oci/permissions.ts WORK_REQUEST_INHERITS).
 */
function workRequestTarget(world: World, id: string): AuthTarget {
  const w = workRequestOr404(world, id);
  return {
    compartmentId: w.compartmentId,
    extraChecks: workRequestPermissions(w.operationType).map((permission) => ({
      permission,
      compartmentId: w.compartmentId,
    })),
  };
}

const streamTarget = (world: World, id: string) => {
  const s = streamOr404(world, id);
  return { compartmentId: s.compartmentId, variables: { "target.stream.id": s.id } };
};

export const workRequestRoutes: Route[] = [
  {
    operation: "GetWorkRequest",
    method: "GET",
    version: "20160918",
    path: "/workRequests/{workRequestId}",
    target: (ctx) => workRequestTarget(ctx.world, ctx.params.workRequestId),
    handle: (ctx) => objectReply(workRequestView(workRequestOr404(ctx.world, ctx.params.workRequestId))),
  },
  {
    operation: "ListWorkRequestErrors",
    method: "GET",
    version: "20160918",
    path: "/workRequests/{workRequestId}/errors",
    target: (ctx) => workRequestTarget(ctx.world, ctx.params.workRequestId),
    handle: (ctx) => listReply([...workRequestOr404(ctx.world, ctx.params.workRequestId)._errors], ctx.query),
  },
];

export const streamingRoutes: Route[] = [
  {
    operation: "PutMessages",
    method: "POST",
    version: "20180418",
    path: "/streams/{streamId}/messages",
    bodyExempt: true,
    target: (ctx) => streamTarget(ctx.world, ctx.params.streamId),
    handle: (ctx) => ({
      status: 200,
      body: putMessages(ctx.world, streamOr404(ctx.world, ctx.params.streamId), ctx.body),
    }),
  },
  {
    operation: "CreateCursor",
    method: "POST",
    version: "20180418",
    path: "/streams/{streamId}/cursors",
    target: (ctx) => streamTarget(ctx.world, ctx.params.streamId),
    handle: (ctx) => ({ status: 200, body: createCursor(streamOr404(ctx.world, ctx.params.streamId), ctx.body) }),
  },
  {
    operation: "GetMessages",
    method: "GET",
    version: "20180418",
    path: "/streams/{streamId}/messages",
    target: (ctx) => streamTarget(ctx.world, ctx.params.streamId),
    handle: (ctx) => {
      const stream = streamOr404(ctx.world, ctx.params.streamId);
      const { items, nextCursor } = getMessages(
        stream,
        ctx.query.get("cursor") ?? undefined,
        ctx.query.get("limit") ?? undefined,
      );
      return { status: 200, body: items, headers: { "opc-next-cursor": nextCursor } };
    },
  },
];

/**
 * Secrets (oci-secrets SecretsClient, API version 20190301): GET /secretbundles/{secretId} answers the CURRENT version
 * as `{secretId, versionNumber, stages, timeCreated, secretBundleContent: {contentType: "BASE64", content}}`
 * (secrets/lib/model/secret-bundle.ts, base64-secret-bundle-content-details.ts). Used by the allocator to read the
 * Kubernetes service-account token.
 */
export const secretRoutes: Route[] = [
  {
    operation: "GetSecretBundle",
    method: "GET",
    version: "20190301",
    path: "/secretbundles/{secretId}",
    target: (ctx) => {
      const secret = ctx.world.secrets.get(ctx.params.secretId);
      if (!secret) throw notFound(`Secret ${ctx.params.secretId}`);
      // `target.secret.id` lets a policy grant one secret only (Vault policy reference, "Conditions").
      return { compartmentId: secret.compartmentId, variables: { "target.secret.id": secret.id } };
    },
    handle: (ctx) => {
      const s = ctx.world.secrets.get(ctx.params.secretId)!;
      return objectReply({
        secretId: s.id,
        versionNumber: s.versionNumber,
        stages: ["CURRENT", "LATEST"],
        timeCreated: s.timeCreated,
        secretBundleContent: { contentType: "BASE64", content: s.content },
      });
    },
  },
];
