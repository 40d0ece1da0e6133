import type { OciOperation } from "../../../oci/permissions";
import { invalidParameter } from "../http/errors";

/**
 * The request-body fields each operation's handler reads, per SDK model (attribute names from oci-core /
 * oci-streaming 2.139.1 lib/model/*.d.ts). A field outside this list — one the SDK model has but the emulator does
 * not model, or one the model does not have at all — answers 400 InvalidParameter naming it, so no test can pass
 * because the emulator silently dropped part of a request. A field set to `null` counts as absent (the SDK leaves
 * unset fields out of the JSON; OCI treats null as "not given").
 *
 * `test/oci-emulator/body-fields.test.ts` checks every list against the SDK model files and that every body route
 * has a model here.
 */
export interface BodyModel {
  /** The SDK model's name, for messages (`CreatePrivateIpDetails`). */
  model: string;
  /** Where the SDK reads the model from, under node_modules (`oci-core/lib/model/create-private-ip-details.d.ts`). */
  source: string;
  fields: readonly string[];
  /** Fields holding one nested object of another model. */
  objects?: Readonly<Record<string, BodyModel>>;
  /** Fields holding a list of objects of another model. */
  lists?: Readonly<Record<string, BodyModel>>;
}

const core = (file: string): string => `oci-core/lib/model/${file}.d.ts`;
const streaming = (file: string): string => `oci-streaming/lib/model/${file}.d.ts`;

const CREATE_VNIC_DETAILS: BodyModel = {
  model: "CreateVnicDetails",
  source: core("create-vnic-details"),
  fields: [
    "assignPublicIp",
    "definedTags",
    "displayName",
    "freeformTags",
    "hostnameLabel",
    "nsgIds",
    "privateIp",
    "skipSourceDestCheck",
    "subnetId",
    "subnetCidr",
  ],
};

const BULK_ITEM: BodyModel = {
  model: "BulkCreatePrivateIpItem",
  source: core("bulk-create-private-ip-item"),
  fields: [
    "definedTags",
    "displayName",
    "freeformTags",
    "hostnameLabel",
    "ipAddress",
    "cidrPrefixLength",
    "ipv4SubnetCidrAtCreation",
  ],
};

export const BODY_MODELS: Readonly<Partial<Record<OciOperation, BodyModel>>> = {
  AttachVnic: {
    model: "AttachVnicDetails",
    source: core("attach-vnic-details"),
    fields: ["createVnicDetails", "displayName", "instanceId", "nicIndex"],
    objects: { createVnicDetails: CREATE_VNIC_DETAILS },
  },
  CreatePrivateIp: {
    model: "CreatePrivateIpDetails",
    source: core("create-private-ip-details"),
    fields: [
      "definedTags",
      "displayName",
      "freeformTags",
      "hostnameLabel",
      "ipAddress",
      "cidrPrefixLength",
      "vnicId",
      "subnetId",
      "ipv4SubnetCidrAtCreation",
    ],
  },
  BulkCreatePrivateIps: {
    model: "BulkCreatePrivateIpsDetails",
    source: core("bulk-create-private-ips-details"),
    fields: ["vnicId", "subnetId", "bulkCreatePrivateIpItem"],
    lists: { bulkCreatePrivateIpItem: BULK_ITEM },
  },
  // The update handlers (world/updates.ts) read every field of their models and refuse unmodelled values themselves.
  UpdatePrivateIp: {
    model: "UpdatePrivateIpDetails",
    source: core("update-private-ip-details"),
    fields: ["definedTags", "displayName", "freeformTags", "hostnameLabel", "vnicId", "lifetime", "routeTableId"],
  },
  UpdateVnic: {
    model: "UpdateVnicDetails",
    source: core("update-vnic-details"),
    fields: [
      "definedTags",
      "displayName",
      "freeformTags",
      "securityAttributes",
      "hostnameLabel",
      "nsgIds",
      "skipSourceDestCheck",
      "routeTableId",
    ],
  },
  PutMessages: {
    model: "PutMessagesDetails",
    source: streaming("put-messages-details"),
    fields: ["messages"],
    lists: {
      messages: {
        model: "PutMessagesDetailsEntry",
        source: streaming("put-messages-details-entry"),
        fields: ["key", "value"],
      },
    },
  },
  CreateCursor: {
    model: "CreateCursorDetails",
    source: streaming("create-cursor-details"),
    fields: ["partition", "type", "offset", "time"],
  },
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Throws 400 InvalidParameter for the first field of `body` (at any depth the model describes) that is not in the
 * model. Shapes (a list where an object belongs…) are left to the handler, which answers its own precise error.
 */
export function checkBodyFields(model: BodyModel, body: unknown, path: string): void {
  if (!isObject(body)) return;
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    const where = `${path}.${key}`;
    if (!model.fields.includes(key)) {
      throw invalidParameter(
        `${where} is not modelled by the OCI emulator (${model.model} fields it reads: ${model.fields.join(", ")})`,
      );
    }
    const nested = model.objects?.[key];
    if (nested) checkBodyFields(nested, value, where);
    const item = model.lists?.[key];
    if (item && Array.isArray(value)) {
      value.forEach((v, i) => {
        checkBodyFields(item, v, `${where}[${i}]`);
      });
    }
  }
}

/** The body parameter's name as the SDK request calls it (`CreatePrivateIpDetails` → `createPrivateIpDetails`). */
export function bodyName(model: BodyModel): string {
  return model.model.charAt(0).toLowerCase() + model.model.slice(1);
}

/** The pipeline's check, right after the body is parsed: the operation's model, if it has a body. */
export function checkOperationBody(operation: OciOperation, body: unknown): void {
  const model = BODY_MODELS[operation];
  if (model) checkBodyFields(model, body, bodyName(model));
}
