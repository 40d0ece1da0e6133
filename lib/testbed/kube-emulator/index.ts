/**
 * Kubernetes API emulator: real clients (client-node, kubectl) against CRD semantics, RBAC and watches.
 * See README.md in this directory for what is modelled and what is not.
 */
export {
  startKubeEmulator,
  DEFAULT_MANIFEST_DIR,
  type KubeEmulator,
  type KubeEmulatorOptions,
  type KubeIdentity,
} from "./emulator";
export type { KubeAdmin } from "./admin";
export type { FaultSpec } from "./faults";
export { internalErrorFault } from "./faults";
export type { KubeConfigOptions } from "./kubeconfig";
export { KubeStatusError, statusErrors, type StatusBody } from "./status";
export type { StoredEvent } from "./storage";
export type { JsonObject } from "./json";
