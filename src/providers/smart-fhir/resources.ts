/**
 * What Wellness OS reads from a SMART on FHIR R4 health system: one search per resource type, each stored as one
 * record kind. Vendor-neutral: Epic's adapter and any other SMART R4 server use this list.
 */
export const FHIR_RESOURCES = [
  {
    type: "Observation",
    kind: "lab_result",
    words: "lab results",
    // US Core: a laboratory result is an Observation in category `laboratory`.
    query: { category: "laboratory" },
  },
  {
    type: "Condition",
    kind: "condition",
    words: "conditions",
    // US Core 5+ splits conditions into the problem list, encounter diagnoses and health concerns.
    query: { category: "problem-list-item,encounter-diagnosis,health-concern" },
  },
  {
    type: "MedicationRequest",
    kind: "medication",
    words: "medications",
    query: {},
  },
] as const;

export type FhirResourceType = (typeof FHIR_RESOURCES)[number]["type"];
export type FhirKind = (typeof FHIR_RESOURCES)[number]["kind"];

export const FHIR_KINDS: readonly FhirKind[] = FHIR_RESOURCES.map((resource) => resource.kind);

export function resourceOfKind(kind: FhirKind) {
  return FHIR_RESOURCES.find((resource) => resource.kind === kind)!;
}

/** "lab results and medications": a list of resources in the words the card uses. */
export function inWords(types: readonly FhirResourceType[]): string {
  const words = FHIR_RESOURCES.filter((resource) => types.includes(resource.type)).map((resource) => resource.words);
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}
