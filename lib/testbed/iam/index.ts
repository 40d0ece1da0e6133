/** OCI IAM policy statements: parse them and decide requests against them (used by the emulator and policy tests). */
export { parsePolicy, parsePolicyStatement } from "./policy";
export type { Condition, Grant, Location, PolicyStatement, Subject } from "./policy";
export { authorize } from "./evaluate";
export type { AuthorizationRequest, AuthorizationResult, CompartmentTree, Principal } from "./evaluate";
export { permissionsGranted, knownResourceTypes, FAMILY_MEMBERS, RESOURCE_TYPE_PERMISSIONS, VERBS } from "./verbs";
export type { Verb } from "./verbs";
