import { random, seedOf } from "../../sandbox/generate.ts";

/**
 * A realistic patient for the development sandbox and the loopback FHIR server in tests: six years of labs with
 * repeated tests (HbA1c, LDL, glucose quarterly; TSH, creatinine, hemoglobin yearly), one amended result, six
 * conditions (three resolved) and six medication requests (three stopped or completed), in US Core R4 shapes.
 * Deterministic per patient and day, so a re-pull changes nothing.
 */

const DAY_MS = 86_400_000;
const LOINC = "http://loinc.org";
const SNOMED = "http://snomed.info/sct";
const ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";
const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
const UCUM = "http://unitsofmeasure.org";
const INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

export type Resource = { resourceType: string; id: string; meta: { lastUpdated: string }; [field: string]: unknown };

interface LabTest {
  loinc: string;
  display: string;
  text: string;
  unit: string;
  low: number;
  high: number;
  /** Value at the start of the history and at its end (a trend), with day-to-day spread. */
  from: number;
  to: number;
  sd: number;
  decimals: number;
  everyDays: number;
}

const LAB_TESTS: LabTest[] = [
  {
    loinc: "4548-4",
    display: "Hemoglobin A1c/Hemoglobin.total in Blood",
    text: "Hemoglobin A1c",
    unit: "%",
    low: 4,
    high: 5.6,
    from: 7.9,
    to: 6.4,
    sd: 0.2,
    decimals: 1,
    everyDays: 91,
  },
  {
    loinc: "13457-7",
    display: "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation",
    text: "LDL cholesterol",
    unit: "mg/dL",
    low: 0,
    high: 99,
    from: 162,
    to: 94,
    sd: 8,
    decimals: 0,
    everyDays: 91,
  },
  {
    loinc: "2345-7",
    display: "Glucose [Mass/volume] in Serum or Plasma",
    text: "Glucose",
    unit: "mg/dL",
    low: 70,
    high: 99,
    from: 148,
    to: 112,
    sd: 10,
    decimals: 0,
    everyDays: 91,
  },
  {
    loinc: "3016-3",
    display: "Thyrotropin [Units/volume] in Serum or Plasma",
    text: "TSH",
    unit: "m[IU]/L",
    low: 0.4,
    high: 4.5,
    from: 2.1,
    to: 2.3,
    sd: 0.4,
    decimals: 2,
    everyDays: 365,
  },
  {
    loinc: "2160-0",
    display: "Creatinine [Mass/volume] in Serum or Plasma",
    text: "Creatinine",
    unit: "mg/dL",
    low: 0.7,
    high: 1.3,
    from: 0.9,
    to: 1.0,
    sd: 0.08,
    decimals: 2,
    everyDays: 365,
  },
  {
    loinc: "718-7",
    display: "Hemoglobin [Mass/volume] in Blood",
    text: "Hemoglobin",
    unit: "g/dL",
    low: 13.2,
    high: 16.6,
    from: 14.8,
    to: 14.2,
    sd: 0.5,
    decimals: 1,
    everyDays: 365,
  },
];

const HISTORY_YEARS = 6;

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);
const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

function flagOf(value: number, test: LabTest): { code: string; display: string } {
  if (value > test.high * 1.5) return { code: "HH", display: "Critical high" };
  if (value > test.high) return { code: "H", display: "High" };
  if (value < test.low) return { code: "L", display: "Low" };
  return { code: "N", display: "Normal" };
}

function labResults(patient: string, now: number, scale: number): Resource[] {
  const out: Resource[] = [];
  const start = Math.floor((now - HISTORY_YEARS * 365 * DAY_MS) / DAY_MS) * DAY_MS;
  for (const test of LAB_TESTS) {
    const every = Math.max(1, Math.round(test.everyDays / scale));
    const rand = random(seedOf(patient, test.loinc));
    let n = 0;
    for (let t = start + 14 * DAY_MS; t < now - 2 * DAY_MS; t += every * DAY_MS, n++) {
      const progress = (t - start) / (now - start);
      const mean = test.from + (test.to - test.from) * progress;
      const value = round(mean + (rand() - 0.5) * 2 * test.sd, test.decimals);
      const drawn = t + 8 * 3_600_000 + Math.floor(rand() * 3) * 1_800_000;
      const flag = flagOf(value, test);
      out.push({
        resourceType: "Observation",
        id: `lab-${test.loinc}-${n}`,
        meta: { lastUpdated: iso(drawn + DAY_MS) },
        status: "final",
        category: [
          { coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "laboratory", display: "Laboratory" }], text: "Laboratory" },
        ],
        code: { coding: [{ system: LOINC, code: test.loinc, display: test.display }], text: test.text },
        subject: { reference: `Patient/${patient}` },
        effectiveDateTime: iso(drawn),
        issued: iso(drawn + DAY_MS),
        valueQuantity: { value, unit: test.unit, system: UCUM, code: test.unit },
        interpretation: [{ coding: [{ system: INTERPRETATION, code: flag.code, display: flag.display }], text: flag.display }],
        referenceRange: [
          {
            low: { value: test.low, unit: test.unit, system: UCUM, code: test.unit },
            high: { value: test.high, unit: test.unit, system: UCUM, code: test.unit },
          },
        ],
      });
    }
  }
  // One glucose result was corrected by the lab a few days ago: same resource, new version, status "amended".
  const glucose = out.filter((r) => r.id.startsWith("lab-2345-7-"));
  const amended = glucose[glucose.length - 3];
  if (amended) {
    const quantity = amended.valueQuantity as { value: number };
    amended.status = "amended";
    amended.meta = { lastUpdated: iso(now - 3 * DAY_MS), versionId: "2" } as Resource["meta"];
    amended.valueQuantity = { ...(amended.valueQuantity as object), value: quantity.value - 20 };
    amended.note = [{ text: "Result corrected: specimen was re-run after a hemolysis flag." }];
  }
  return out;
}

function condition(
  patient: string,
  id: string,
  snomed: [string, string],
  icd: [string, string],
  text: string,
  category: string,
  onset: string,
  abatement?: string,
): Resource {
  return {
    resourceType: "Condition",
    id,
    meta: { lastUpdated: `${abatement ?? onset}T12:00:00Z` },
    clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: abatement ? "resolved" : "active" }] },
    verificationStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-ver-status", code: "confirmed" }] },
    category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-category", code: category }] }],
    code: {
      coding: [
        { system: SNOMED, code: snomed[0], display: snomed[1] },
        { system: ICD10, code: icd[0], display: icd[1] },
      ],
      text,
    },
    subject: { reference: `Patient/${patient}` },
    onsetDateTime: onset,
    ...(abatement ? { abatementDateTime: abatement } : {}),
    recordedDate: onset,
  };
}

function conditions(patient: string, now: number): Resource[] {
  const ago = (days: number) => day(now - days * DAY_MS);
  return [
    condition(
      patient,
      "cond-t2d",
      ["44054006", "Diabetes mellitus type 2"],
      ["E11.9", "Type 2 diabetes mellitus without complications"],
      "Type 2 diabetes",
      "problem-list-item",
      ago(2150),
    ),
    condition(
      patient,
      "cond-hld",
      ["55822004", "Hyperlipidemia"],
      ["E78.5", "Hyperlipidemia, unspecified"],
      "High cholesterol",
      "problem-list-item",
      ago(2100),
    ),
    condition(
      patient,
      "cond-htn",
      ["59621000", "Essential hypertension"],
      ["I10", "Essential (primary) hypertension"],
      "High blood pressure",
      "problem-list-item",
      ago(1500),
    ),
    condition(
      patient,
      "cond-sinus",
      ["15805002", "Acute sinusitis"],
      ["J01.90", "Acute sinusitis, unspecified"],
      "Sinus infection",
      "encounter-diagnosis",
      ago(700),
      ago(686),
    ),
    condition(
      patient,
      "cond-ankle",
      ["44465007", "Sprain of ankle"],
      ["S93.409A", "Sprain of unspecified ligament of unspecified ankle"],
      "Sprained ankle",
      "encounter-diagnosis",
      ago(1200),
      ago(1160),
    ),
    condition(
      patient,
      "cond-vitd",
      ["34713006", "Vitamin D deficiency"],
      ["E55.9", "Vitamin D deficiency, unspecified"],
      "Low vitamin D",
      "health-concern",
      ago(900),
      ago(600),
    ),
  ];
}

function medicationResource(id: string, rxnorm: string, display: string): Resource {
  return {
    resourceType: "Medication",
    id,
    meta: { lastUpdated: "2020-01-01T00:00:00Z" },
    code: { coding: [{ system: RXNORM, code: rxnorm, display }], text: display },
  };
}

function medications(patient: string, now: number): Resource[] {
  const ago = (days: number) => day(now - days * DAY_MS);
  const request = (id: string, status: string, authored: string, dosage: string, medication: Record<string, unknown>): Resource => ({
    resourceType: "MedicationRequest",
    id,
    meta: { lastUpdated: `${authored}T12:00:00Z` },
    status,
    intent: "order",
    subject: { reference: `Patient/${patient}` },
    authoredOn: authored,
    requester: { reference: "Practitioner/dr-okafor", display: "Adaeze Okafor, MD" },
    dosageInstruction: [{ text: dosage }],
    ...medication,
  });
  return [
    medicationResource("med-metformin", "861007", "metformin hydrochloride 500 MG Oral Tablet"),
    medicationResource("med-atorvastatin", "617310", "atorvastatin 20 MG Oral Tablet"),
    request("rx-metformin", "active", ago(2140), "Take 1 tablet by mouth twice daily with meals.", {
      medicationReference: { reference: "Medication/med-metformin", display: "metformin 500 mg tablet" },
    }),
    request("rx-atorvastatin", "active", ago(2090), "Take 1 tablet by mouth every evening.", {
      medicationReference: { reference: "Medication/med-atorvastatin", display: "atorvastatin 20 mg tablet" },
    }),
    request("rx-lisinopril", "active", ago(1490), "Take 1 tablet by mouth once daily.", {
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: "314076", display: "lisinopril 10 MG Oral Tablet" }], text: "lisinopril 10 mg tablet" },
    }),
    request("rx-amoxicillin", "completed", ago(700), "Take 1 capsule by mouth three times daily for 10 days.", {
      contained: [{ resourceType: "Medication", id: "m1", code: { coding: [{ system: RXNORM, code: "308182", display: "amoxicillin 500 MG Oral Capsule" }] } }],
      medicationReference: { reference: "#m1" },
    }),
    request("rx-vitd", "stopped", ago(895), "Take 1 capsule by mouth once a week for 12 weeks.", {
      medicationCodeableConcept: {
        coding: [{ system: RXNORM, code: "316965", display: "ergocalciferol 1.25 MG Oral Capsule" }],
        text: "vitamin D2 50,000 unit capsule",
      },
    }),
    request("rx-ibuprofen", "stopped", ago(1190), "Take 1 tablet by mouth every 6 hours as needed for pain.", {
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: "197806", display: "ibuprofen 600 MG Oral Tablet" }], text: "ibuprofen 600 mg tablet" },
    }),
  ];
}

/**
 * Every resource of the sandbox patient. `labScale` multiplies how often labs are drawn (the bench uses it for a
 * patient with thousands of results).
 */
export function sandboxPatientResources(patient: string, now: number, labScale = 1): Resource[] {
  const patientResource: Resource = {
    resourceType: "Patient",
    id: patient,
    meta: { lastUpdated: iso(now - 400 * DAY_MS) },
    name: [{ use: "official", family: "Lin", given: ["Jordan"] }],
    birthDate: "1978-04-12",
  };
  return [patientResource, ...labResults(patient, now, labScale), ...conditions(patient, now), ...medications(patient, now)];
}

/** A warning a health system adds to a search page, as Epic does when it leaves results out (search.mode outcome). */
export const SANDBOX_OUTCOME = {
  resourceType: "OperationOutcome",
  issue: [{ severity: "warning", code: "suppressed", details: { text: "Some results are not available to patient-facing apps." } }],
};

/** The sandbox server's page size: smaller than we ask for, as real servers' caps are, so paging is exercised. */
export const SANDBOX_PAGE_SIZE = 25;

const SEARCH_PARAMS = ["patient", "category", "date", "_lastUpdated", "_count", "_include"];

export function capabilityStatement() {
  return {
    resourceType: "CapabilityStatement",
    status: "active",
    kind: "instance",
    fhirVersion: "4.0.1",
    format: ["json"],
    rest: [
      {
        mode: "server",
        resource: ["Observation", "Condition", "MedicationRequest", "Medication", "Patient"].map((type) => ({
          type,
          interaction: [{ code: "read" }, { code: "search-type" }],
          searchParam: SEARCH_PARAMS.map((name) => ({ name, type: name === "date" || name === "_lastUpdated" ? "date" : "token" })),
        })),
      },
    ],
  };
}

/** `ge2024-01-01T00:00:00Z` style prefixes on a date parameter. */
function dateMatches(value: string | undefined, filters: string[]): boolean {
  if (filters.length === 0) return true;
  if (!value) return false;
  const time = Date.parse(value);
  return filters.every((filter) => {
    const prefix = filter.slice(0, 2);
    const bound = Date.parse(/^[a-z]{2}/.test(filter) ? filter.slice(2) : filter);
    if (prefix === "ge") return time >= bound;
    if (prefix === "gt") return time > bound;
    if (prefix === "lt") return time < bound;
    if (prefix === "le") return time <= bound;
    return time === bound;
  });
}

function categoryMatches(resource: Resource, wanted: string | undefined): boolean {
  if (!wanted) return true;
  const codes = wanted.split(",").map((code) => code.split("|").pop());
  const categories = (resource.category as { coding?: { code?: string }[] }[] | undefined) ?? [];
  return categories.some((c) => c.coding?.some((coding) => codes.includes(coding.code)));
}

const outcome = (code: string, text: string) => ({ resourceType: "OperationOutcome", issue: [{ severity: "error", code, details: { text } }] });

/**
 * A FHIR R4 search over a patient's resources, as a SMART server answers one: the patient must be the one in the
 * token's context, category / date / _lastUpdated filters, `_include` of referenced Medications, pages of at most
 * `pageSize` behind opaque `next` links, and an OperationOutcome warning on the first page of lab results.
 */
export function searchPatient(options: { all: readonly Resource[]; patient: string; url: URL; fhirPath: string; pageSize: number }): {
  status: 200 | 400 | 403;
  body: unknown;
} {
  const { all, patient, url, fhirPath } = options;
  const type = url.pathname.slice(fhirPath.length + 1);
  const pageToken = url.searchParams.get("page");
  let query: Record<string, string[]>;
  let offset = 0;
  if (pageToken) {
    try {
      ({ query, offset } = JSON.parse(atob(pageToken.replaceAll("-", "+").replaceAll("_", "/"))) as { query: Record<string, string[]>; offset: number });
    } catch {
      return { status: 400, body: outcome("invalid", "Unknown page") };
    }
  } else {
    query = Object.fromEntries(SEARCH_PARAMS.map((name) => [name, url.searchParams.getAll(name)]));
  }
  if (query.patient?.[0] !== patient) return { status: 403, body: outcome("forbidden", "Patient is not in context") };
  const matching = all.filter(
    (r) =>
      r.resourceType === type &&
      categoryMatches(r, type === "MedicationRequest" ? undefined : query.category?.[0]) &&
      dateMatches(type === "Observation" ? (r.effectiveDateTime as string) : undefined, type === "Observation" ? (query.date ?? []) : []) &&
      dateMatches(r.meta.lastUpdated, query._lastUpdated ?? []),
  );
  const size = Math.min(options.pageSize, Number(query._count?.[0] ?? options.pageSize) || options.pageSize);
  const page = matching.slice(offset, offset + size);
  const self = `${url.origin}${fhirPath}/${type}`;
  const entry: Record<string, unknown>[] = page.map((resource) => ({ fullUrl: `${self}/${resource.id}`, resource, search: { mode: "match" } }));
  if (type === "MedicationRequest" && query._include?.includes("MedicationRequest:medication")) {
    const refs = new Set(
      page.map((r) => (r.medicationReference as { reference?: string } | undefined)?.reference).filter((ref) => ref?.startsWith("Medication/")),
    );
    for (const med of all.filter((r) => r.resourceType === "Medication" && refs.has(`Medication/${r.id}`))) {
      entry.push({ fullUrl: `${url.origin}${fhirPath}/Medication/${med.id}`, resource: med, search: { mode: "include" } });
    }
  }
  if (type === "Observation" && offset === 0) entry.push({ resource: SANDBOX_OUTCOME, search: { mode: "outcome" } });
  const link = [{ relation: "self", url: url.href }];
  if (offset + size < matching.length) {
    const token = btoa(JSON.stringify({ query, offset: offset + size }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replaceAll("=", "");
    link.push({ relation: "next", url: `${self}?page=${token}` });
  }
  return { status: 200, body: { resourceType: "Bundle", type: "searchset", total: matching.length, link, entry } };
}
