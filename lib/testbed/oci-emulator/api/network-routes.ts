import { invalidParameter, missingParameter, notFound, relatedNotFound } from "../http/errors";
import { bulkCreatePrivateIps, createPrivateIp, deletePrivateIp, subnetIpInventory } from "../world/network";
import { nsgView, privateIpView, subnetView, vcnView, vnicView } from "../world/views";
import type { World } from "../world/world";
import { checkIfMatch, objectReply } from "./compute-routes";
import { listReply } from "./paging";
import { subnetPrefix, type AuthTarget, type RequestContext, type Route } from "./route";

/** VirtualNetworkClient operations (paths from oci-core/lib/client.js, API version 20160918). */

function subnetOr404(world: World, id: string) {
  const s = world.subnets.get(id);
  if (!s) throw notFound(`Subnet ${id}`);
  return s;
}

function vnicOr404(world: World, id: string) {
  const v = world.vnics.get(id);
  if (!v) throw notFound(`Vnic ${id}`);
  return v;
}

function privateIpOr404(world: World, id: string) {
  const p = world.privateIps.get(id);
  if (!p) throw notFound(`PrivateIp ${id}`);
  return p;
}

/** Create operations name their VNIC in the body: a missing one is 400 RelatedResourceNotAuthorizedOrNotFound. */
function vnicBodyTarget(ctx: RequestContext): AuthTarget {
  const vnicId = (ctx.body as { vnicId?: unknown } | undefined)?.vnicId;
  if (typeof vnicId !== "string") {
    // Let the handler produce the precise MissingParameter / InvalidParameter; authorise against the tenancy.
    return { compartmentId: ctx.world.tenancyId };
  }
  const vnic = ctx.world.vnics.get(vnicId);
  if (!vnic) throw relatedNotFound(`VNIC ${vnicId}`);
  const subnet = ctx.world.subnets.get(vnic.subnetId);
  return { compartmentId: vnic.compartmentId, byPrefix: subnetPrefix(subnet) };
}

export const networkRoutes: Route[] = [
  {
    operation: "GetVnic",
    method: "GET",
    version: "20160918",
    path: "/vnics/{vnicId}",
    target: (ctx) => ({ compartmentId: vnicOr404(ctx.world, ctx.params.vnicId).compartmentId }),
    handle: (ctx) => {
      const vnic = vnicOr404(ctx.world, ctx.params.vnicId);
      return objectReply(vnicView(vnic, ctx.world.primaryIpOf(vnic.id)?.ipAddress));
    },
  },
  {
    operation: "CreatePrivateIp",
    method: "POST",
    version: "20160918",
    path: "/privateIps",
    retryToken: true,
    target: vnicBodyTarget,
    handle: (ctx) => {
      const ip = createPrivateIp(ctx.world, ctx.body);
      return { ...objectReply(privateIpView(ip)), resourceId: ip.id };
    },
    replay: (ctx, id) => {
      const ip = ctx.world.privateIps.get(id);
      return ip ? objectReply(privateIpView(ip)) : undefined;
    },
  },
  {
    operation: "GetPrivateIp",
    method: "GET",
    version: "20160918",
    path: "/privateIps/{privateIpId}",
    target: (ctx) => ({ compartmentId: privateIpOr404(ctx.world, ctx.params.privateIpId).compartmentId }),
    handle: (ctx) => objectReply(privateIpView(privateIpOr404(ctx.world, ctx.params.privateIpId))),
  },
  {
    operation: "ListPrivateIps",
    method: "GET",
    version: "20160918",
    path: "/privateIps",
    // "ListPrivateIps filters: subnetId | vnicId | ipAddress + subnetId"
    // (core/lib/request/list-private-ips-request.ts).
    target: (ctx) => {
      const { world, query } = ctx;
      if (query.get("vlanId")) throw invalidParameter("VLAN private IPs are not modelled by the emulator");
      if (query.get("ipAddress") && !query.get("subnetId"))
        throw invalidParameter("ipAddress must be used with subnetId");
      const subnetId = query.get("subnetId");
      const vnicId = query.get("vnicId");
      if (subnetId) return { compartmentId: subnetOr404(world, subnetId).compartmentId };
      if (vnicId) return { compartmentId: vnicOr404(world, vnicId).compartmentId };
      throw missingParameter("subnetId or vnicId");
    },
    handle: (ctx) => {
      const q = ctx.query;
      const items = [...ctx.world.privateIps.values()]
        .filter((p) => !q.get("subnetId") || p.subnetId === q.get("subnetId"))
        .filter((p) => !q.get("vnicId") || p.vnicId === q.get("vnicId"))
        .filter((p) => !q.get("ipAddress") || p.ipAddress === q.get("ipAddress"))
        .sort((a, b) => a._int - b._int)
        .map(privateIpView);
      return listReply(items, q);
    },
  },
  {
    operation: "DeletePrivateIp",
    method: "DELETE",
    version: "20160918",
    path: "/privateIps/{privateIpId}",
    target: (ctx) => {
      const ip = privateIpOr404(ctx.world, ctx.params.privateIpId);
      const subnet = ctx.world.subnets.get(ip.subnetId);
      return { compartmentId: ip.compartmentId, byPrefix: subnetPrefix(subnet) };
    },
    handle: (ctx) => {
      checkIfMatch(ctx, privateIpView(privateIpOr404(ctx.world, ctx.params.privateIpId)));
      deletePrivateIp(ctx.world, ctx.params.privateIpId);
      return { status: 204 };
    },
  },
  {
    operation: "BulkCreatePrivateIps",
    method: "POST",
    version: "20160918",
    path: "/privateIps/actions/bulkCreatePrivateIps",
    retryToken: true,
    target: vnicBodyTarget,
    handle: (ctx) => {
      const wr = bulkCreatePrivateIps(ctx.world, ctx.body);
      // The SDK reads only opc-request-id and opc-work-request-id from this response (no body).
      return { status: 202, headers: { "opc-work-request-id": wr.id }, resourceId: wr.id };
    },
    replay: (ctx, id) =>
      ctx.world.workRequests.has(id) ? { status: 202, headers: { "opc-work-request-id": id } } : undefined,
  },
  {
    operation: "GetSubnet",
    method: "GET",
    version: "20160918",
    path: "/subnets/{subnetId}",
    target: (ctx) => ({ compartmentId: subnetOr404(ctx.world, ctx.params.subnetId).compartmentId }),
    handle: (ctx) => objectReply(subnetView(subnetOr404(ctx.world, ctx.params.subnetId))),
  },
  {
    operation: "ListSubnets",
    method: "GET",
    version: "20160918",
    path: "/subnets",
    target: (ctx) => {
      const c = ctx.query.get("compartmentId");
      if (!c) throw missingParameter("compartmentId");
      return { compartmentId: c };
    },
    handle: (ctx) => {
      const q = ctx.query;
      const items = [...ctx.world.subnets.values()]
        .filter((s) => s.compartmentId === q.get("compartmentId"))
        .filter((s) => !q.get("vcnId") || s.vcnId === q.get("vcnId"))
        .filter((s) => !q.get("displayName") || s.displayName === q.get("displayName"))
        .filter((s) => !q.get("lifecycleState") || s.lifecycleState === q.get("lifecycleState"))
        .map(subnetView);
      return listReply(items, q);
    },
  },
  {
    operation: "GetSubnetIpInventory",
    method: "GET",
    version: "20160918",
    path: "/ipInventory/subnets/{subnetId}",
    target: (ctx) => ({ compartmentId: subnetOr404(ctx.world, ctx.params.subnetId).compartmentId }),
    handle: (ctx) => objectReply(subnetIpInventory(ctx.world, ctx.params.subnetId)),
  },
  {
    operation: "ListNetworkSecurityGroups",
    method: "GET",
    version: "20160918",
    path: "/networkSecurityGroups",
    target: (ctx) => {
      const c = ctx.query.get("compartmentId");
      const vcnId = ctx.query.get("vcnId");
      if (c) return { compartmentId: c };
      if (vcnId) {
        const vcn = ctx.world.vcns.get(vcnId);
        if (!vcn) throw notFound(`Vcn ${vcnId}`);
        return { compartmentId: vcn.compartmentId };
      }
      throw missingParameter("compartmentId or vcnId");
    },
    handle: (ctx) => {
      const q = ctx.query;
      const items = [...ctx.world.nsgs.values()]
        .filter((n) => !q.get("compartmentId") || n.compartmentId === q.get("compartmentId"))
        .filter((n) => !q.get("vcnId") || n.vcnId === q.get("vcnId"))
        .filter((n) => !q.get("displayName") || n.displayName === q.get("displayName"))
        .map(nsgView);
      return listReply(items, q);
    },
  },
  {
    operation: "GetVcn",
    method: "GET",
    version: "20160918",
    path: "/vcns/{vcnId}",
    target: (ctx) => {
      const vcn = ctx.world.vcns.get(ctx.params.vcnId);
      if (!vcn) throw notFound(`Vcn ${ctx.params.vcnId}`);
      return { compartmentId: vcn.compartmentId };
    },
    handle: (ctx) => objectReply(vcnView(ctx.world.vcns.get(ctx.params.vcnId)!)),
  },
];
