import { notFound } from "../http/errors";
import { updatePrivateIp, updateVnic, updateVnicNsgIds } from "../world/updates";
import { privateIpView, vnicView } from "../world/views";
import { checkIfMatch, objectReply } from "./compute-routes";
import { nsgMemberChecks, type AuthTarget, type RequestContext, type Route } from "./route";

/**
 * VirtualNetworkClient UpdatePrivateIp and UpdateVnic (oci-core/lib/client.js: PUT /20160918/privateIps/{privateIpId}
 * and PUT /20160918/vnics/{vnicId}, body UpdatePrivateIpDetails / UpdateVnicDetails, optional if-match; the answer is
 * the updated object with its etag). The allocator uses them to re-tag what it adopts from a prewarm.
 */

function vnicTarget(ctx: RequestContext): AuthTarget {
  const vnic = ctx.world.vnics.get(ctx.params.vnicId);
  if (!vnic || vnic.lifecycleState === "TERMINATED") throw notFound(`Vnic ${ctx.params.vnicId}`);
  // "If adding or removing the VNIC from a network security group, also need NETWORK_SECURITY_GROUP_UPDATE_MEMBERS
  // and VNIC_ASSOCIATE_NETWORK_SECURITY_GROUP" (Permissions Required for Each API Operation, UpdateVnic): only a
  // changed NSG set asks for them.
  const next = updateVnicNsgIds(ctx.world, vnic, ctx.body);
  const changed =
    next !== undefined && (next.length !== vnic.nsgIds.length || next.some((id) => !vnic.nsgIds.includes(id)));
  const touched = changed ? [...new Set([...next, ...vnic.nsgIds])] : [];
  const firstNsg = touched.length > 0 ? ctx.world.nsgs.get(touched[0]) : undefined;
  return {
    compartmentId: vnic.compartmentId,
    byPrefix: firstNsg ? { NETWORK_SECURITY_GROUP_: firstNsg.compartmentId } : {},
    nsgIds: touched,
    extraChecks: nsgMemberChecks(ctx.world.nsgs, touched),
  };
}

export const updateRoutes: Route[] = [
  {
    operation: "UpdatePrivateIp",
    method: "PUT",
    version: "20160918",
    path: "/privateIps/{privateIpId}",
    target: (ctx): AuthTarget => {
      const ip = ctx.world.privateIps.get(ctx.params.privateIpId);
      if (!ip) throw notFound(`PrivateIp ${ctx.params.privateIpId}`);
      // PRIVATE_IP_UPDATE on the IP, VNIC_ASSIGN/VNIC_UNASSIGN on its VNIC: both live in the subnet's compartment.
      const vnic = ctx.world.vnics.get(ip.vnicId);
      return { compartmentId: ip.compartmentId, byPrefix: vnic ? { VNIC_: vnic.compartmentId } : undefined };
    },
    handle: (ctx) => {
      const current = ctx.world.privateIps.get(ctx.params.privateIpId);
      if (current) checkIfMatch(ctx, privateIpView(current));
      return objectReply(privateIpView(updatePrivateIp(ctx.world, ctx.params.privateIpId, ctx.body)));
    },
  },
  {
    operation: "UpdateVnic",
    method: "PUT",
    version: "20160918",
    path: "/vnics/{vnicId}",
    target: vnicTarget,
    handle: (ctx) => {
      const current = ctx.world.vnics.get(ctx.params.vnicId);
      if (current) checkIfMatch(ctx, vnicView(current, ctx.world.primaryIpOf(current.id)?.ipAddress));
      const vnic = updateVnic(ctx.world, ctx.params.vnicId, ctx.body);
      return objectReply(vnicView(vnic, ctx.world.primaryIpOf(vnic.id)?.ipAddress));
    },
  },
];
