/**
 * The shape catalogue the emulator knows, and the VNIC-slot rule.
 * Source: "Compute Shapes" (https://docs.oracle.com/en-us/iaas/Content/Compute/References/computeshapes.htm):
 * Flex shapes get 2 VNICs at 1 OCPU, else 1 per OCPU, at most 24; the
 * bare-metal shapes listed here have 256 (two active physical NICs: nicIndex 0 and 1); fixed VM shapes have a fixed
 * number. `Instance.shapeConfig.maxVnicAttachments` already applies the OCPU rule
 * (core/lib/model/instance-shape-config.ts).
 */
export interface ShapeSpec {
  shape: string;
  isFlexible: boolean;
  /** Fixed shapes: their OCPUs / memory / VNICs. Flex shapes: the defaults used when a spec gives none. */
  ocpus: number;
  memoryInGBs: number;
  maxVnicAttachments: number;
  /** Flex only. */
  ocpuRange?: { min: number; max: number };
  memoryPerOcpuGBs?: number;
  /** Flex only: Shape.maxVnicAttachmentOptions. */
  vnicOptions?: { min: number; max: number; defaultPerOcpu: number };
  /** Physical NICs usable as nicIndex (2 on the bare-metal shapes, else 1). */
  nics: number;
  bareMetal: boolean;
  networkingBandwidthPerOcpuGbps?: number;
  processorDescription: string;
}

const flex = (shape: string, maxOcpus: number, processor: string): ShapeSpec => ({
  shape,
  isFlexible: true,
  ocpus: 1,
  memoryInGBs: 16,
  maxVnicAttachments: 2,
  ocpuRange: { min: 1, max: maxOcpus },
  memoryPerOcpuGBs: 16,
  vnicOptions: { min: 2, max: 24, defaultPerOcpu: 1 },
  nics: 1,
  bareMetal: false,
  networkingBandwidthPerOcpuGbps: 1,
  processorDescription: processor,
});

const fixedVm = (shape: string, ocpus: number, memoryInGBs: number, vnics: number, processor: string): ShapeSpec => ({
  shape,
  isFlexible: false,
  ocpus,
  memoryInGBs,
  maxVnicAttachments: vnics,
  nics: 1,
  bareMetal: false,
  processorDescription: processor,
});

const bareMetal = (shape: string, ocpus: number, memoryInGBs: number, processor: string): ShapeSpec => ({
  shape,
  isFlexible: false,
  ocpus,
  memoryInGBs,
  maxVnicAttachments: 256,
  nics: 2,
  bareMetal: true,
  processorDescription: processor,
});

export const SHAPES: readonly ShapeSpec[] = [
  flex("VM.Standard.E4.Flex", 64, "2.55 GHz AMD EPYC 7J13 (Milan)"),
  flex("VM.Standard.E5.Flex", 94, "2.4 GHz AMD EPYC 9J14 (Genoa)"),
  flex("VM.Standard3.Flex", 32, "2.0 GHz Intel Xeon Platinum 8358 (Ice Lake)"),
  flex("VM.Standard.A1.Flex", 76, "3.0 GHz Ampere Altra"),
  fixedVm("VM.Standard2.1", 1, 15, 2, "2.0 GHz Intel Xeon Platinum 8167M (Skylake)"),
  fixedVm("VM.Standard2.2", 2, 30, 2, "2.0 GHz Intel Xeon Platinum 8167M (Skylake)"),
  fixedVm("VM.Standard2.4", 4, 60, 4, "2.0 GHz Intel Xeon Platinum 8167M (Skylake)"),
  fixedVm("VM.Standard2.8", 8, 120, 8, "2.0 GHz Intel Xeon Platinum 8167M (Skylake)"),
  fixedVm("VM.Standard.E2.1.Micro", 1, 1, 1, "2.0 GHz AMD EPYC 7551 (Naples)"),
  bareMetal("BM.Standard.E4.128", 128, 2048, "2.55 GHz AMD EPYC 7J13 (Milan)"),
  bareMetal("BM.Standard3.64", 64, 1024, "2.0 GHz Intel Xeon Platinum 8358 (Ice Lake)"),
];

export function findShape(name: string): ShapeSpec | undefined {
  return SHAPES.find((s) => s.shape === name);
}

/** The Flex rule: 1 OCPU → 2 VNICs, otherwise 1 per (whole) OCPU, at most 24. */
export function flexMaxVnics(ocpus: number): number {
  if (ocpus <= 1) return 2;
  return Math.min(Math.floor(ocpus), 24);
}

/** Instance.shapeConfig for a shape and (for Flex) the requested OCPUs / memory. Throws on an invalid request. */
export function shapeConfigFor(spec: ShapeSpec, ocpus?: number, memoryInGBs?: number) {
  if (!spec.isFlexible) {
    return {
      ocpus: spec.ocpus,
      memoryInGBs: spec.memoryInGBs,
      vcpus: spec.ocpus * 2,
      maxVnicAttachments: spec.maxVnicAttachments,
      processorDescription: spec.processorDescription,
    };
  }
  const o = ocpus ?? spec.ocpus;
  const range = spec.ocpuRange!;
  if (!(o >= range.min && o <= range.max))
    throw new Error(`${spec.shape} takes ${range.min}–${range.max} OCPUs, not ${o}`);
  return {
    ocpus: o,
    memoryInGBs: memoryInGBs ?? o * (spec.memoryPerOcpuGBs ?? 16),
    vcpus: o * 2,
    maxVnicAttachments: flexMaxVnics(o),
    networkingBandwidthInGbps: Math.min(o * (spec.networkingBandwidthPerOcpuGbps ?? 1), 40),
    processorDescription: spec.processorDescription,
  };
}

/** The `Shape` object ListShapes returns (core/lib/model/shape.ts). */
export function shapeView(spec: ShapeSpec): Record<string, unknown> {
  const view: Record<string, unknown> = {
    shape: spec.shape,
    processorDescription: spec.processorDescription,
    ocpus: spec.ocpus,
    memoryInGBs: spec.memoryInGBs,
    maxVnicAttachments: spec.maxVnicAttachments,
    networkPorts: spec.nics,
    isFlexible: spec.isFlexible,
    billingType: "PAID",
  };
  if (spec.isFlexible) {
    view.ocpuOptions = { min: spec.ocpuRange!.min, max: spec.ocpuRange!.max };
    view.memoryOptions = {
      minInGBs: 1,
      maxInGBs: spec.ocpuRange!.max * 64,
      defaultPerOcpuInGBs: spec.memoryPerOcpuGBs,
    };
    view.maxVnicAttachmentOptions = { ...spec.vnicOptions };
  }
  return view;
}
