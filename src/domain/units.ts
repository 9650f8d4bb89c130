/** mg/dL per mmol/L for glucose (molar mass 180.16 g/mol): the factor Dexcom and most CGM software use. */
export const GLUCOSE_MGDL_PER_MMOLL = 18.0182;

export function mgdlToMmoll(mgdl: number): number {
  return Math.round((mgdl / GLUCOSE_MGDL_PER_MMOLL) * 10) / 10;
}

export function mmollToMgdl(mmoll: number): number {
  return Math.round(mmoll * GLUCOSE_MGDL_PER_MMOLL);
}
