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
import type { BundleEntry, SearchBundle } from "./bundle";
import { type FhirKind, resourceOfKind } from "./resources";

// Code systems as FHIR R4 and US Core name them.
const LOINC = "http://loinc.org";
const SNOMED = "http://snomed.info/sct";
const ICD10 = ["http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10"];
const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";

const CodingIn = z.object({ system: z.string().optional(), code: z.string().optional(), display: z.string().optional() }).passthrough();
const Concept = z.object({ coding: z.array(CodingIn).optional(), text: z.string().optional() }).passthrough();
const Quantity = z
  .object({ value: z.number().optional(), unit: z.string().optional(), code: z.string().optional(), comparator: z.string().optional() })
  .passthrough();
const Reference = z.object({ reference: z.string().optional(), display: z.string().optional() }).passthrough();
const Period = z.object({ start: z.string().optional(), end: z.string().optional() }).passthrough();
const Meta = z.object({ lastUpdated: z.string().optional() }).passthrough().optional();

const Observation = z
  .object({
    resourceType: z.literal("Observation"),
    id: z.string().min(1),
    meta: Meta,
    status: z.string(),
    code: Concept,
    valueQuantity: Quantity.optional(),
    valueString: z.string().optional(),
    valueCodeableConcept: Concept.optional(),
    interpretation: z.array(Concept).optional(),
    referenceRange: z.array(z.object({ low: Quantity.optional(), high: Quantity.optional(), text: z.string().optional() }).passthrough()).optional(),
    effectiveDateTime: z.string().optional(),
    effectivePeriod: Period.optional(),
    effectiveInstant: z.string().optional(),
    issued: z.string().optional(),
  })
  .passthrough();

const Condition = z
  .object({
    resourceType: z.literal("Condition"),
    id: z.string().min(1),
    meta: Meta,
    code: Concept,
    category: z.array(Concept).optional(),
    clinicalStatus: Concept.optional(),
    verificationStatus: Concept.optional(),
    onsetDateTime: z.string().optional(),
    onsetPeriod: Period.optional(),
    onsetString: z.string().optional(),
    abatementDateTime: z.string().optional(),
    abatementPeriod: Period.optional(),
    abatementString: z.string().optional(),
    recordedDate: z.string().optional(),
  })
  .passthrough();

const Medication = z.object({ resourceType: z.literal("Medication"), id: z.string().optional(), code: Concept.optional() }).passthrough();

const MedicationRequest = z
  .object({
    resourceType: z.literal("MedicationRequest"),
    id: z.string().min(1),
    meta: Meta,
    status: z.string(),
    intent: z.string(),
    medicationCodeableConcept: Concept.optional(),
    medicationReference: Reference.optional(),
    contained: z.array(z.object({ resourceType: z.string(), id: z.string().optional() }).passthrough()).optional(),
    authoredOn: z.string().optional(),
    requester: Reference.optional(),
    dosageInstruction: z.array(z.object({ text: z.string().optional() }).passthrough()).optional(),
  })
  .passthrough();

type CodingOut = RecordBody<"condition">["codings"][number];

function coding(c: z.infer<typeof CodingIn>): CodingOut | null {
  if (!c.code) return null;
  return { code: c.code, ...(c.system ? { system: c.system } : {}), ...(c.display ? { display: c.display } : {}) };
}

function codings(concept: z.infer<typeof Concept> | undefined): CodingOut[] {
  return (concept?.coding ?? []).map(coding).filter((c) => c !== null);
}

/** The coding of the first preferred system present, else the first coding. */
function preferred(all: CodingOut[], systems: readonly string[]): CodingOut | undefined {
  for (const system of systems) {
    const found = all.find((c) => c.system === system);
    if (found) return found;
  }
  return all[0];
}

function conceptName(concept: z.infer<typeof Concept> | undefined, chosen: CodingOut | undefined): string | undefined {
  return concept?.text || chosen?.display || concept?.coding?.find((c) => c.display)?.display || chosen?.code;
}

function firstCode(concept: z.infer<typeof Concept> | undefined): string | undefined {
  return concept?.coding?.find((c) => c.code)?.code ?? concept?.text;
}

/** A FHIR date or dateTime as epoch ms; a date alone is read as UTC midnight. NaN when unreadable. */
function timeOf(value: string | undefined): number {
  return value ? Date.parse(value) : Number.NaN;
}

function quantity(q: z.infer<typeof Quantity> | undefined) {
  if (q?.value === undefined) return undefined;
  const unit = q.code ?? q.unit;
  const comparator = q.comparator && ["<", "<=", ">=", ">"].includes(q.comparator) ? (q.comparator as "<" | "<=" | ">=" | ">") : undefined;
  return { value: q.value, ...(unit ? { unit } : {}), ...(comparator ? { comparator } : {}) };
}

// HL7 v3 ObservationInterpretation codes (what US Core's Observation.interpretation binds to).
const FLAGS: Record<string, RecordBody<"lab_result">["flag"]> = {
  N: "normal",
  H: "high",
  HU: "high",
  "H>": "high",
  L: "low",
  LU: "low",
  "L<": "low",
  A: "abnormal",
  HH: "critical_high",
  LL: "critical_low",
  AA: "critical",
};

function flagOf(interpretation: z.infer<typeof Concept>[] | undefined): RecordBody<"lab_result">["flag"] {
  for (const concept of interpretation ?? []) {
    for (const c of concept.coding ?? []) if (c.code && FLAGS[c.code.toUpperCase()]) return FLAGS[c.code.toUpperCase()];
    // Some servers send only text ("High", "Critical").
    const text = concept.text?.toLowerCase();
    if (text === "high") return "high";
    if (text === "low") return "low";
    if (text === "normal") return "normal";
    if (text?.includes("critical")) return "critical";
    if (text === "abnormal") return "abnormal";
  }
  return undefined;
}

function reason(resource: unknown, issue: z.ZodError): SkippedItem {
  const id = typeof resource === "object" && resource !== null ? (resource as { id?: unknown }).id : undefined;
  const first = issue.issues[0];
  return {
    externalId: typeof id === "string" ? id : null,
    reason: `not a usable FHIR resource: ${first?.path.join(".") || "body"} ${first?.message ?? "is invalid"}`,
  };
}

export function normalizeLabResult(resource: unknown): NormalizedRecord | SkippedItem {
  const parsed = Observation.safeParse(resource);
  if (!parsed.success) return reason(resource, parsed.error);
  const obs = parsed.data;
  const externalId = `Observation/${obs.id}`;
  const all = codings(obs.code);
  const code = preferred(all, [LOINC]);
  const effective = obs.effectiveDateTime ?? obs.effectivePeriod?.start ?? obs.effectiveInstant ?? obs.issued;
  if (!effective) return { externalId, reason: "lab_result: no effective time" };
  const range = obs.referenceRange?.[0];
  const rangeOut = range
    ? {
        ...(quantity(range.low) ? { low: quantity(range.low) } : {}),
        ...(quantity(range.high) ? { high: quantity(range.high) } : {}),
        ...(range.text ? { text: range.text } : {}),
      }
    : undefined;
  const valueText =
    obs.valueString ?? (obs.valueCodeableConcept ? conceptName(obs.valueCodeableConcept, preferred(codings(obs.valueCodeableConcept), [SNOMED])) : undefined);
  const flag = flagOf(obs.interpretation);
  return makeRecord("lab_result", {
    externalId,
    startTime: timeOf(effective),
    data: {
      ...(code ? { code } : {}),
      name: conceptName(obs.code, code) ?? "Lab result",
      ...(quantity(obs.valueQuantity) ? { value: quantity(obs.valueQuantity) } : {}),
      ...(valueText ? { value_text: valueText } : {}),
      ...(rangeOut && Object.keys(rangeOut).length > 0 ? { reference_range: rangeOut } : {}),
      ...(flag ? { flag } : {}),
      effective,
      ...(obs.issued ? { issued: obs.issued } : {}),
      status: obs.status as RecordBody<"lab_result">["status"],
    },
    raw: resource,
  });
}

export function normalizeCondition(resource: unknown): NormalizedRecord | SkippedItem {
  const parsed = Condition.safeParse(resource);
  if (!parsed.success) return reason(resource, parsed.error);
  const condition = parsed.data;
  const externalId = `Condition/${condition.id}`;
  const all = codings(condition.code);
  const code = preferred(all, [SNOMED, ...ICD10]);
  const onset = condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.onsetString;
  const abatement = condition.abatementDateTime ?? condition.abatementPeriod?.start ?? condition.abatementString;
  const clinical = firstCode(condition.clinicalStatus);
  const verification = firstCode(condition.verificationStatus);
  // A condition on a problem list may carry no date at all; it is kept, sorted as undated (time 0).
  const when =
    [condition.onsetDateTime, condition.onsetPeriod?.start, condition.recordedDate, condition.meta?.lastUpdated].map(timeOf).find(Number.isFinite) ?? 0;
  return makeRecord("condition", {
    externalId,
    startTime: when,
    endTime: Number.isFinite(timeOf(condition.abatementDateTime)) ? timeOf(condition.abatementDateTime) : null,
    data: {
      ...(code ? { code } : {}),
      codings: all,
      name: conceptName(condition.code, code) ?? "Condition",
      categories: (condition.category ?? []).map((c) => firstCode(c)).filter((c) => c !== undefined),
      ...(clinical ? { clinical_status: clinical } : {}),
      ...(verification ? { verification_status: verification } : {}),
      ...(onset ? { onset } : {}),
      ...(abatement ? { abatement } : {}),
      ...(condition.recordedDate ? { recorded: condition.recordedDate } : {}),
    },
    raw: resource,
  });
}

/**
 * The medication a request names: inline (medicationCodeableConcept), contained (`#id`), or a Medication the
 * search included (or the pull fetched) keyed by its reference.
 */
function medicationOf(request: z.infer<typeof MedicationRequest>, included: ReadonlyMap<string, unknown>) {
  if (request.medicationCodeableConcept) return request.medicationCodeableConcept;
  const ref = request.medicationReference?.reference;
  if (!ref) return undefined;
  const target = ref.startsWith("#") ? request.contained?.find((c) => c.resourceType === "Medication" && c.id === ref.slice(1)) : included.get(ref);
  const medication = Medication.safeParse(target);
  return medication.success ? medication.data.code : undefined;
}

export function normalizeMedication(resource: unknown, included: ReadonlyMap<string, unknown> = new Map()): NormalizedRecord | SkippedItem {
  const parsed = MedicationRequest.safeParse(resource);
  if (!parsed.success) return reason(resource, parsed.error);
  const request = parsed.data;
  const externalId = `MedicationRequest/${request.id}`;
  const concept = medicationOf(request, included);
  const all = codings(concept);
  const code = preferred(all, [RXNORM]);
  const name = conceptName(concept, code) ?? request.medicationReference?.display;
  if (!name) return { externalId, reason: "medication: the medication it names could not be found" };
  const dosage = (request.dosageInstruction ?? []).map((d) => d.text).filter((text): text is string => Boolean(text));
  const when = [request.authoredOn, request.meta?.lastUpdated].map(timeOf).find(Number.isFinite) ?? 0;
  return makeRecord("medication", {
    externalId,
    startTime: when,
    data: {
      ...(code ? { code } : {}),
      name,
      status: request.status as RecordBody<"medication">["status"],
      intent: request.intent,
      ...(dosage.length > 0 ? { dosage_text: dosage.join("; ") } : {}),
      ...(request.authoredOn ? { authored_on: request.authoredOn } : {}),
      ...(request.requester?.display ? { requester: request.requester.display } : {}),
    },
    raw: resource,
  });
}

/** Keys a Medication is referenced by: `Medication/id`, and the entry's absolute fullUrl. */
function includedMedications(entries: readonly BundleEntry[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const entry of entries) {
    if (entry.resource?.resourceType !== "Medication") continue;
    if (entry.resource.id) map.set(`Medication/${entry.resource.id}`, entry.resource);
    if (entry.fullUrl) map.set(entry.fullUrl, entry.resource);
  }
  return map;
}

/**
 * Pure: one search page (a FHIR Bundle) → records of the kind searched. Only entries of the searched resource
 * type become records; OperationOutcome and included entries do not. A resource that fails validation is a
 * skipped item with its reason; the rest of the page goes on.
 */
export function normalizeFhir(kind: FhirKind, body: unknown): NormalizeResult {
  if (typeof body !== "object" || body === null || (body as { resourceType?: unknown }).resourceType !== "Bundle") {
    throw new MalformedPayloadError("not a FHIR Bundle");
  }
  const entries = ((body as SearchBundle).entry ?? []) as BundleEntry[];
  const { type } = resourceOfKind(kind);
  const matches = entries.filter((entry) => entry.search?.mode !== "outcome" && entry.search?.mode !== "include" && entry.resource?.resourceType === type);
  if (kind === "lab_result") return collect(matches.map((entry) => normalizeLabResult(entry.resource)));
  if (kind === "condition") return collect(matches.map((entry) => normalizeCondition(entry.resource)));
  const included = includedMedications(entries);
  return collect(matches.map((entry) => normalizeMedication(entry.resource, included)));
}
