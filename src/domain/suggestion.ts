import { z } from "zod";

export const SUGGESTION_TYPES = [
  ["wearable", "Wearable"],
  ["scale", "Smart scale"],
  ["cgm", "Glucose monitor"],
  ["app", "Phone app"],
  ["ehr", "Health records"],
  ["other", "Something else"],
] as const;

const typeValues = SUGGESTION_TYPES.map(([value]) => value) as [string, ...string[]];

const optionalText = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .optional()
    .transform((value) => (value ? value : null));

/** A device suggestion as the form submits it; every message is shown next to its field. */
export const SuggestionInput = z.object({
  name: z
    .string({ error: "Enter the device or app name." })
    .trim()
    .min(2, "Enter the device or app name (at least 2 characters).")
    .max(80, "Keep the name under 80 characters."),
  type: z.enum(typeValues, { error: "Choose what kind of device it is." }),
  note: optionalText(500, "Keep the note under 500 characters."),
});
export type SuggestionInput = z.input<typeof SuggestionInput>;
