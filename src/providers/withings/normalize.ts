import { z } from "zod";
import {
  collect,
  MalformedPayloadError,
  makeRecord,
  type NormalizedRecord,
  type NormalizeResult,
  type RecordBody,
  type SkippedItem,
} from "../../domain/records";

export const WITHINGS_KINDS = ["measures"] as const;
export type WithingsKind = (typeof WITHINGS_KINDS)[number];

/**
 * The measure types we read (Withings' meastype table, https://developer.withings.com/api-reference#tag/measure),
 * each with the field it fills and its UCUM unit. Withings reports SI units: kg, %, mmHg, bpm.
 */
const BODY_TYPES = {
  1: { field: "body_weight", unit: "kg" },
  5: { field: "fat_free_mass", unit: "kg" },
  6: { field: "body_fat_percentage", unit: "%" },
  8: { field: "fat_mass", unit: "kg" },
  76: { field: "muscle_mass", unit: "kg" },
  77: { field: "hydration", unit: "kg" },
  88: { field: "bone_mass", unit: "kg" },
} as const;
const SYSTOLIC = 10;
const DIASTOLIC = 9;
const HEART_PULSE = 11;

/** What `pull` asks getmeas for: the types above, so anything else in an answer is a type Withings added. */
export const MEASURE_TYPES = [1, 5, 6, 8, 9, 10, 11, 76, 77, 88] as const;

/** Withings' `attrib` codes (Measuregrp object, api-reference): how the group came to belong to this person. */
const ATTRIBUTION: Record<number, RecordBody<"body_composition">["source"]["attribution"]> = {
  0: "device",
  1: "device_ambiguous",
  2: "manual",
  4: "manual_at_signup",
  5: "device_auto",
  7: "confirmed",
  8: "device",
  15: "guided",
  17: "guided",
  18: "guided",
};

/** Category 1 is a real measurement; 2 is a goal the person set, which is not a measurement of them. */
const REAL_MEASUREMENT = 1;

const Measure = z.object({ value: z.number().finite(), type: z.number().int(), unit: z.number().int() });
const MeasureGroup = z.object({
  grpid: z.number().int(),
  attrib: z.number().int(),
  date: z.number().int(),
  category: z.number().int(),
  deviceid: z.string().nullish(),
  hash_deviceid: z.string().nullish(),
  model: z.string().nullish(),
  measures: z.array(z.unknown()),
});
const Page = z.object({ measuregrps: z.array(z.unknown()), more: z.union([z.boolean(), z.number()]).optional(), offset: z.number().optional() });

/** A real value is `value × 10^unit`; rounded to what the exponent can express, so 0.1 + 0.2 noise never shows. */
export function realValue(value: number, unit: number): number {
  const scaled = value * 10 ** unit;
  return unit < 0 ? Number(scaled.toFixed(-unit)) : scaled;
}

function groupId(item: unknown): string | null {
  const id = (item as { grpid?: unknown } | null)?.grpid;
  return typeof id === "number" || typeof id === "string" ? String(id) : null;
}

function normalizeGroup(item: unknown, skipped: SkippedItem[]): (NormalizedRecord | SkippedItem)[] {
  const parsed = MeasureGroup.safeParse(item);
  if (!parsed.success) return [{ externalId: groupId(item), reason: "measure group is not in Withings' documented shape" }];
  const group = parsed.data;
  const externalId = String(group.grpid);
  if (group.category !== REAL_MEASUREMENT) return [{ externalId, reason: `category ${group.category} is a goal, not a measurement` }];

  const startTime = group.date * 1000;
  const dateTime = new Date(startTime).toISOString();
  const source = {
    device_id: group.hash_deviceid ?? group.deviceid ?? null,
    ...(group.model ? { model: group.model } : {}),
    attribution: ATTRIBUTION[group.attrib] ?? "other",
    attribution_code: group.attrib,
  };

  const body: Record<string, { value: number; unit: string }> = {};
  let systolic: number | null = null;
  let diastolic: number | null = null;
  let pulse: number | null = null;
  for (const raw of group.measures) {
    const measure = Measure.safeParse(raw);
    if (!measure.success) {
      skipped.push({ externalId, reason: "a measure is not {value, type, unit}" });
      continue;
    }
    const { type, value, unit } = measure.data;
    const real = realValue(value, unit);
    if (type in BODY_TYPES) {
      const spec = BODY_TYPES[type as keyof typeof BODY_TYPES];
      body[spec.field] = { value: real, unit: spec.unit };
    } else if (type === SYSTOLIC) systolic = real;
    else if (type === DIASTOLIC) diastolic = real;
    else if (type === HEART_PULSE) pulse = real;
    else skipped.push({ externalId: `${externalId}:${type}`, reason: `measure type ${type} is not one Wellness OS reads` });
  }

  const results: (NormalizedRecord | SkippedItem)[] = [];
  const heartRate = pulse === null ? {} : { heart_rate: { value: pulse, unit: "beats/min" as const } };
  const hasPressure = systolic !== null || diastolic !== null;
  if (hasPressure) {
    if (systolic === null || diastolic === null) results.push({ externalId, reason: "blood pressure needs both systolic and diastolic" });
    else
      results.push(
        makeRecord("blood_pressure", {
          externalId,
          startTime,
          data: {
            effective_time_frame: { date_time: dateTime },
            systolic_blood_pressure: { value: systolic, unit: "mm[Hg]" },
            diastolic_blood_pressure: { value: diastolic, unit: "mm[Hg]" },
            ...heartRate,
            source,
          },
          raw: item,
        }),
      );
  }
  // A pulse belongs with the blood pressure it was taken with; alone, or with a weigh-in, it is the scale's.
  if (Object.keys(body).length > 0 || (!hasPressure && pulse !== null)) {
    results.push(
      makeRecord("body_composition", {
        externalId,
        startTime,
        data: { effective_time_frame: { date_time: dateTime }, ...body, ...(hasPressure ? {} : heartRate), source } as RecordBody<"body_composition">,
        raw: item,
      }),
    );
  }
  // The shared weight series every source feeds (WHOOP's body measurement too), so a weight is found by kind.
  if (body.body_weight) {
    results.push(
      makeRecord("body_weight", {
        externalId,
        startTime,
        data: { effective_time_frame: { date_time: dateTime }, body_weight: { value: body.body_weight.value, unit: "kg" } },
        raw: item,
      }),
    );
  }
  return results;
}

/** Pure: one getmeas page body (inside the envelope) → records, and items it could not use with their reasons. */
export function normalizeWithings(kind: WithingsKind, body: unknown): NormalizeResult {
  if (kind !== "measures") throw new MalformedPayloadError(`withings: unknown kind ${String(kind)}`);
  const page = Page.safeParse(body);
  if (!page.success) throw new MalformedPayloadError("withings getmeas: expected {measuregrps: [...]}");
  const skipped: SkippedItem[] = [];
  return collect(
    page.data.measuregrps.flatMap((group) => normalizeGroup(group, skipped)),
    skipped,
  );
}
