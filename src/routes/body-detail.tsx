import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { userHubFor } from "../../durable-objects/user-hub";
import { BodyCharts, type PressureReading, type WeighIn } from "../../views/body-detail";
import type { AppEnv } from "../app-env";
import { saveWeightUnit, weightUnitOf } from "../db/users";
import type { CatalogEntry } from "../domain/integration";
import { BloodPressure, BodyComposition } from "../domain/records";
import { development } from "../platform/development";

/** A year: the trend a scale is bought for. */
const BODY_DAYS = 365;

/** Records as stored → what the charts draw; a row that no longer parses is left out, not guessed. */
export function bodySeries(rows: readonly { kind: string; startTime: number; data: unknown }[]): { weighIns: WeighIn[]; pressures: PressureReading[] } {
  const weighIns: WeighIn[] = [];
  const pressures: PressureReading[] = [];
  for (const row of [...rows].sort((a, b) => a.startTime - b.startTime)) {
    const data = typeof row.data === "string" ? JSON.parse(row.data) : row.data;
    if (row.kind === "body_composition") {
      const body = BodyComposition.safeParse(data);
      if (!body.success) continue;
      const b = body.data;
      weighIns.push({
        time: row.startTime,
        weightKg: b.body_weight?.value ?? null,
        fatPercent: b.body_fat_percentage?.value ?? null,
        fatMassKg: b.fat_mass?.value ?? null,
        fatFreeMassKg: b.fat_free_mass?.value ?? null,
        muscleMassKg: b.muscle_mass?.value ?? null,
        hydrationKg: b.hydration?.value ?? null,
        boneMassKg: b.bone_mass?.value ?? null,
        heartRate: b.heart_rate?.value ?? null,
        attribution: b.source.attribution,
        model: b.source.model ?? null,
      });
    } else if (row.kind === "blood_pressure") {
      const bp = BloodPressure.safeParse(data);
      if (!bp.success) continue;
      pressures.push({
        time: row.startTime,
        systolic: bp.data.systolic_blood_pressure.value,
        diastolic: bp.data.diastolic_blood_pressure.value,
        heartRate: bp.data.heart_rate?.value ?? null,
      });
    }
  }
  return { weighIns, pressures };
}

/** The charts of a scale's detail page (the page itself is the shared connection detail), or null when unreadable. */
export async function bodyCharts(c: Context<AppEnv>, entry: CatalogEntry, now: number, sandbox = false) {
  const user = c.get("user");
  const [rows, unit] = await Promise.all([
    userHubFor(c.env, user.id)
      .recordsSince(user.id, entry.id, ["body_composition", "blood_pressure"], now - BODY_DAYS * 86_400_000)
      .catch((error: unknown) => {
        console.error(JSON.stringify({ event: "records_unavailable", name: error instanceof Error ? error.name : typeof error }));
        return null;
      }),
    weightUnitOf(c.get("db"), user.id),
  ]);
  if (!rows) return null;
  const { weighIns, pressures } = bodySeries(rows);
  return (
    <BodyCharts
      weighIns={weighIns}
      pressures={pressures}
      unit={unit}
      now={now}
      csrfToken={c.get("csrfToken")}
      back={`/settings/connections/${entry.id}`}
      // The development sandbox's scale can be stepped on; a real one is stepped on at home.
      sandboxControls={sandbox ? (development()?.sandboxControls(entry.id, c.get("csrfToken")) ?? null) : null}
    />
  );
}

const WeightUnitForm = z.object({
  unit: z.enum(["kg", "lb"]),
  // Only back to one of our own pages: never an open redirect.
  back: z
    .string()
    .regex(/^\/settings(\/[a-z0-9-/]*)?$/)
    .catch("/settings"),
});

/** The person's display preferences (mounted under /settings/preferences: signed in, CSRF-checked). */
export const preferenceRoutes = new Hono<AppEnv>().post("/weight-unit", async (c) => {
  const form = await c.req.parseBody();
  const parsed = WeightUnitForm.safeParse({ unit: form.unit, back: typeof form.back === "string" ? form.back : undefined });
  if (!parsed.success) return c.text("Choose kg or lb.", 400);
  await saveWeightUnit(c.get("db"), c.get("user"), parsed.data.unit);
  return c.redirect(parsed.data.back, 303);
});
