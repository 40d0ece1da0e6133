/**
 * JSON Schema of the observed-state file `ocipam plan --input` reads (the planner's input, documented in the
 * README). Optional parts get their defaults from the schema (ajv `useDefaults`), so a hand-written file only
 * needs what matters for the question being asked.
 */
const tags = { type: "object", additionalProperties: { type: "string" }, default: {} } as const;
const count = { type: "integer", minimum: 0 } as const;
const cidr = { type: "string", pattern: "^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$" } as const;
const allocationMap = {
  type: "object",
  propertyNames: { format: "ipv4" },
  additionalProperties: {
    type: "object",
    properties: { owner: { type: "string" }, resource: { type: "string" } },
    additionalProperties: false,
  },
  default: {},
} as const;

export const observedStateSchema = {
  $id: "https://ocipam.io/schemas/observed-state.json",
  type: "object",
  required: ["now", "config", "ciliumNode", "instance", "vnics", "subnets"],
  additionalProperties: false,
  properties: {
    now: { type: "string", format: "date-time" },
    config: {
      type: "object",
      required: ["clusterName", "vcnId"],
      additionalProperties: false,
      properties: {
        clusterName: { type: "string", minLength: 1 },
        vcnId: { type: "string", minLength: 1 },
        ipsPerVnic: { type: "integer", minimum: 1, maximum: 256, default: 31 },
        firstInterfaceIndex: { type: "integer", minimum: 0, default: 0 },
        excludeInterfaceTags: tags,
        subnetIds: { type: "array", items: { type: "string" }, default: [] },
        subnetTags: tags,
        nsgIds: { type: "array", items: { type: "string" }, default: [] },
        nsgTags: tags,
        releaseExcessIps: { type: "boolean", default: false },
        excessIpReleaseDelaySeconds: { type: "integer", minimum: 0, default: 180 },
        // OCIPAM_IP_BLOCK_PREFIX_LENGTH: 32 (absent) one address per private-IP object, 24..31 IP CIDR blocks.
        ipBlockPrefixLength: { type: "integer", minimum: 24, maximum: 32 },
        // OCIPAM_MAX_PODS_PER_NODE: a ceiling on the node maximum (0: none).
        maxPodsPerNode: { type: "integer", minimum: 0, maximum: 65_536 },
      },
    },
    ciliumNode: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: {
        name: { type: "string", minLength: 1, maxLength: 253, pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" },
        pool: allocationMap,
        used: allocationMap,
        releaseIps: {
          type: "object",
          propertyNames: { format: "ipv4" },
          default: {},
          additionalProperties: { enum: ["marked-for-release", "ready-for-release", "do-not-release", "released"] },
        },
        preAllocate: count,
        minAllocate: count,
        maxAllocate: count,
        maxAboveWatermark: count,
      },
    },
    instance: {
      type: "object",
      required: ["id", "availabilityDomain", "shape", "lifecycleState", "maxVnicAttachments"],
      additionalProperties: false,
      properties: {
        id: { type: "string", pattern: "^ocid1\\.instance\\." },
        compartmentId: { type: "string", default: "" },
        availabilityDomain: { type: "string", minLength: 1 },
        shape: { type: "string", minLength: 1 },
        lifecycleState: { type: "string" },
        maxVnicAttachments: { type: "integer", minimum: 1, maximum: 256 },
      },
    },
    vnics: {
      type: "array",
      items: {
        type: "object",
        required: ["attachmentId", "attachmentState", "index", "isPrimary", "subnetId"],
        additionalProperties: false,
        properties: {
          attachmentId: { type: "string", minLength: 1 },
          attachmentState: { enum: ["ATTACHING", "ATTACHED", "DETACHING", "DETACHED"] },
          attachmentDisplayName: { type: "string" },
          vnicId: { type: "string" },
          index: count,
          isPrimary: { type: "boolean" },
          subnetId: { type: "string", minLength: 1 },
          macAddress: { type: "string" },
          nsgIds: { type: "array", items: { type: "string" }, default: [] },
          freeformTags: tags,
          timeCreated: { type: "string", format: "date-time" },
          privateIps: {
            type: "array",
            default: [],
            items: {
              type: "object",
              required: ["id", "ipAddress", "isPrimary"],
              additionalProperties: false,
              properties: {
                id: { type: "string" },
                ipAddress: { type: "string", format: "ipv4" },
                isPrimary: { type: "boolean" },
                // Set on an IP CIDR address (PrivateIp.cidrPrefixLength in oci-core lib/model/private-ip.d.ts).
                cidrPrefixLength: { type: "integer", minimum: 1, maximum: 32 },
                freeformTags: tags,
              },
            },
          },
        },
      },
    },
    subnets: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "vcnId", "availabilityDomain", "cidrBlock", "freeAddresses"],
        additionalProperties: false,
        properties: {
          id: { type: "string", minLength: 1 },
          vcnId: { type: "string", minLength: 1 },
          availabilityDomain: { type: ["string", "null"] },
          cidrBlock: cidr,
          freeAddresses: count,
          freeformTags: tags,
          // Every IPv4 CIDR block of the subnet (absent: [cidrBlock]); Subnet.cidrBlocks in oci-core.
          cidrBlocks: { type: "array", items: cidr },
          // Subnet.LifecycleState (oci-core lib/model/subnet.d.ts); absent: AVAILABLE.
          lifecycleState: { enum: ["PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED", "UPDATING"] },
          // What the subnet's IP inventory reports as allocated (block mode only), in CIDR notation.
          allocations: { type: "array", items: cidr },
        },
      },
    },
    nsgs: {
      type: "array",
      default: [],
      items: {
        type: "object",
        required: ["id", "vcnId"],
        additionalProperties: false,
        properties: { id: { type: "string" }, vcnId: { type: "string" }, freeformTags: tags },
      },
    },
    pendingPods: { ...count, default: 0 },
    releaseFirstSeen: { type: "object", additionalProperties: { type: "string", format: "date-time" }, default: {} },
    // Rounds of this node that created objects so far (its OciIpamNode record); part of every retry token.
    retryGeneration: count,
  },
} as const;
