import { OciServiceError, missingParameter, notFound, relatedNotFound } from "../http/errors";
import { attachVnic, detachVnic } from "../world/compute";
import { etagOf } from "../world/ids";
import { SHAPES, shapeView } from "../world/shapes";
import { attachmentView, instanceView } from "../world/views";
import type { World } from "../world/world";
import { listReply } from "./paging";
import { nsgMemberChecks, subnetPrefix, type RequestContext, type Reply, type Route } from "./route";

/** ComputeClient operations (paths from oci-core/lib/client.js, API version 20160918). */

function requireQuery(ctx: RequestContext, name: string): string {
  const v = ctx.query.get(name);
  if (!v) throw missingParameter(name);
  return v;
}

/** A GET reply with the object's etag header. */
export function objectReply(body: Record<string, unknown>, status = 200): Reply {
  return { status, body, headers: { etag: etagOf(body) } };
}

/** 412 NoEtagMatch when an `if-match` header does not match the object's current etag (apierrors.htm). */
export function checkIfMatch(ctx: RequestContext, current: Record<string, unknown>): void {
  const ifMatch = ctx.headers["if-match"];
  if (ifMatch !== undefined && ifMatch !== etagOf(current)) {
    throw new OciServiceError(412, "NoEtagMatch", "The resource's etag does not match the if-match header");
  }
}

function instanceOr404(world: World, id: string) {
  const i = world.instances.get(id);
  if (!i) throw notFound(`Instance ${id}`);
  return i;
}

function attachmentOr404(world: World, id: string) {
  const a = world.attachments.get(id);
  if (!a) throw notFound(`VnicAttachment ${id}`);
  return a;
}

export const computeRoutes: Route[] = [
  {
    operation: "GetInstance",
    method: "GET",
    version: "20160918",
    path: "/instances/{instanceId}",
    target: (ctx) => ({ compartmentId: instanceOr404(ctx.world, ctx.params.instanceId).compartmentId }),
    handle: (ctx) => objectReply(instanceView(instanceOr404(ctx.world, ctx.params.instanceId))),
  },
  {
    operation: "ListInstances",
    method: "GET",
    version: "20160918",
    path: "/instances",
    target: (ctx) => ({ compartmentId: requireQuery(ctx, "compartmentId") }),
    handle: (ctx) => {
      const q = ctx.query;
      const items = [...ctx.world.instances.values()]
        .filter((i) => i.compartmentId === q.get("compartmentId"))
        .filter((i) => !q.get("availabilityDomain") || i.availabilityDomain === q.get("availabilityDomain"))
        .filter((i) => !q.get("displayName") || i.displayName === q.get("displayName"))
        .filter((i) => !q.get("lifecycleState") || i.lifecycleState === q.get("lifecycleState"))
        .map(instanceView);
      return listReply(items, q);
    },
  },
  {
    operation: "ListShapes",
    method: "GET",
    version: "20160918",
    path: "/shapes",
    target: (ctx) => ({ compartmentId: requireQuery(ctx, "compartmentId") }),
    handle: (ctx) => {
      const name = ctx.query.get("shape");
      return listReply(SHAPES.filter((s) => !name || s.shape === name).map(shapeView), ctx.query);
    },
  },
  {
    operation: "AttachVnic",
    method: "POST",
    version: "20160918",
    path: "/vnicAttachments",
    retryToken: true,
    target: (ctx) => {
      const body = (ctx.body ?? {}) as {
        instanceId?: unknown;
        createVnicDetails?: { subnetId?: unknown; nsgIds?: unknown };
      };
      const instance = typeof body.instanceId === "string" ? ctx.world.instances.get(body.instanceId) : undefined;
      if (!instance) {
        if (typeof body.instanceId !== "string") throw missingParameter("instanceId");
        throw relatedNotFound(`Instance ${body.instanceId}`);
      }
      const subnet =
        typeof body.createVnicDetails?.subnetId === "string"
          ? ctx.world.subnets.get(body.createVnicDetails.subnetId)
          : undefined;
      const nsgIds = Array.isArray(body.createVnicDetails?.nsgIds) ? (body.createVnicDetails.nsgIds as string[]) : [];
      const firstNsg = nsgIds.length > 0 ? ctx.world.nsgs.get(nsgIds[0]) : undefined;
      // INSTANCE_ATTACH_SECONDARY_VNIC on the instance; SUBNET_ATTACH on the subnet; VNIC_CREATE, VNIC_ATTACH and
      // VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP on the new VNIC, which will live in the subnet's compartment; the NSG
      // membership in each NSG's compartment (lib/oci/permission-placement.ts).
      const byPrefix: Record<string, string> = {};
      if (subnet) {
        byPrefix.SUBNET_ = subnet.compartmentId;
        byPrefix.VNIC_ = subnet.compartmentId;
      }
      if (firstNsg) byPrefix.NETWORK_SECURITY_GROUP_ = firstNsg.compartmentId;
      const extraChecks = nsgMemberChecks(ctx.world.nsgs, nsgIds);
      return { compartmentId: instance.compartmentId, byPrefix, nsgIds, extraChecks };
    },
    handle: (ctx) => {
      const a = attachVnic(ctx.world, ctx.body);
      return { ...objectReply(attachmentView(a)), resourceId: a.id };
    },
    replay: (ctx, id) => {
      const a = ctx.world.attachments.get(id);
      return a ? objectReply(attachmentView(a)) : undefined;
    },
  },
  {
    operation: "GetVnicAttachment",
    method: "GET",
    version: "20160918",
    path: "/vnicAttachments/{vnicAttachmentId}",
    target: (ctx) => ({ compartmentId: attachmentOr404(ctx.world, ctx.params.vnicAttachmentId).compartmentId }),
    handle: (ctx) => objectReply(attachmentView(attachmentOr404(ctx.world, ctx.params.vnicAttachmentId))),
  },
  {
    operation: "ListVnicAttachments",
    method: "GET",
    version: "20160918",
    path: "/vnicAttachments",
    target: (ctx) => ({ compartmentId: requireQuery(ctx, "compartmentId") }),
    handle: (ctx) => {
      const q = ctx.query;
      const items = [...ctx.world.attachments.values()]
        .filter((a) => a.compartmentId === q.get("compartmentId"))
        .filter((a) => !q.get("instanceId") || a.instanceId === q.get("instanceId"))
        .filter((a) => !q.get("availabilityDomain") || a.availabilityDomain === q.get("availabilityDomain"))
        .map(attachmentView)
        .filter((a) => !q.get("vnicId") || a.vnicId === q.get("vnicId"));
      return listReply(items, q);
    },
  },
  {
    operation: "DetachVnic",
    method: "DELETE",
    version: "20160918",
    path: "/vnicAttachments/{vnicAttachmentId}",
    target: (ctx) => {
      // INSTANCE_DETACH_SECONDARY_VNIC on the instance (the attachment's compartment), VNIC_DETACH / VNIC_DELETE on
      // the VNIC (its subnet's compartment), SUBNET_DETACH on the subnet.
      const a = attachmentOr404(ctx.world, ctx.params.vnicAttachmentId);
      const subnet = ctx.world.subnets.get(a.subnetId);
      const vnic = ctx.world.vnics.get(a._vnicId);
      const byPrefix = { ...subnetPrefix(subnet), ...(vnic ? { VNIC_: vnic.compartmentId } : {}) };
      return { compartmentId: a.compartmentId, byPrefix };
    },
    handle: (ctx) => {
      checkIfMatch(ctx, attachmentView(attachmentOr404(ctx.world, ctx.params.vnicAttachmentId)));
      detachVnic(ctx.world, ctx.params.vnicAttachmentId);
      return { status: 204 };
    },
  },
];
