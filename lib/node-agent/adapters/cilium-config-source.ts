import * as k8s from "@kubernetes/client-node";
import { CILIUM_CONFIG, type EgressDecision, egressFromCiliumConfig } from "../cilium-masquerade";
import { CiliumConfigUnavailableError } from "../errors";

/**
 * Reads Cilium's ConfigMap once at start (Cilium's agents need a restart for these settings too). A failure is
 * fatal: guessing would either break masqueraded traffic or send the pod's own address out of the primary VNIC.
 */
export async function readCiliumEgress(
  kubeConfig: k8s.KubeConfig,
  ref: { namespace: string; name: string } = CILIUM_CONFIG,
): Promise<EgressDecision> {
  const api = kubeConfig.makeApiClient(k8s.CoreV1Api);
  let data: Record<string, string>;
  try {
    data = (await api.readNamespacedConfigMap({ namespace: ref.namespace, name: ref.name })).data ?? {};
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = typeof code === "number" ? `HTTP ${code}` : String((err as Error).message ?? err);
    throw new CiliumConfigUnavailableError(
      `cannot read ConfigMap ${ref.namespace}/${ref.name} to learn Cilium's masquerading (${why}): ` +
        "pass --egress-cidr=<Cilium's ipv4NativeRoutingCIDR>, or --egress-cidr=all when Cilium does not masquerade",
      { namespace: ref.namespace, name: ref.name, ...(typeof code === "number" ? { statusCode: code } : {}) },
      { cause: err },
    );
  }
  return egressFromCiliumConfig(data);
}
