import type { ImdsVnic, NodeIpamSnapshot, RoutingConfig } from "../../lib/node-agent/model";

/** An instance with a primary VNIC (10.0.0.0/24) and two secondary VNICs (10.0.1.0/24, 10.0.2.0/24), IMDS order. */
export const VNICS: ImdsVnic[] = [
  {
    vnicId: "ocid1.vnic.oc1..primary",
    macAddr: "02:00:17:00:00:01",
    privateIp: "10.0.0.10",
    subnetCidrBlock: "10.0.0.0/24",
    virtualRouterIp: "10.0.0.1",
    vlanTag: 0,
    nicIndex: 0,
  },
  {
    vnicId: "ocid1.vnic.oc1..second",
    macAddr: "02:00:17:00:00:02",
    privateIp: "10.0.1.10",
    subnetCidrBlock: "10.0.1.0/24",
    virtualRouterIp: "10.0.1.1",
    vlanTag: 1681,
    nicIndex: 0,
  },
  {
    vnicId: "ocid1.vnic.oc1..third",
    macAddr: "02:00:17:00:00:03",
    privateIp: "10.0.2.10",
    subnetCidrBlock: "10.0.2.0/24",
    virtualRouterIp: "10.0.2.1",
    vlanTag: 1683,
    nicIndex: 0,
  },
];

export const CONFIG: RoutingConfig = { mtu: 9000, protocol: 165, egressCidrs: [] };

export function ipam(pool: Record<string, string | undefined>, used: Record<string, string> = {}): NodeIpamSnapshot {
  const toMap = (m: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(m).map(([ip, resource]) => [ip, resource === undefined ? {} : { resource }]));
  return { exists: true, pool: toMap(pool), used: toMap(used) };
}
