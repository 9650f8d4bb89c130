import type { Hono } from "hono";
import type { SourceId } from "../../domain/integration";
import { type SandboxEnv, sandboxBearer } from "../../sandbox/types";
import { capabilityStatement, SANDBOX_PAGE_SIZE, sandboxPatientResources, searchPatient } from "./sandbox-patient";

/**
 * A FHIR R4 search API over the sandbox patient, as a SMART server answers: bearer required, the patient must be
 * the token's, pages behind opaque `next` links, and an OperationOutcome warning on the first page of lab results.
 */
export function addFhirSandboxRoutes(api: Hono<SandboxEnv>, fhirPath: string, source: SourceId, patientOf: (subject: string) => string): void {
  api.get(`${fhirPath}/metadata`, (c) => c.json(capabilityStatement()));
  api.get(`${fhirPath}/:type{(Observation|Condition|MedicationRequest)}`, sandboxBearer(source), (c) => {
    const patient = patientOf(c.get("access").subject);
    const result = searchPatient({
      all: sandboxPatientResources(patient, Date.now()),
      patient,
      url: new URL(c.req.url),
      fhirPath,
      pageSize: SANDBOX_PAGE_SIZE,
    });
    return c.json(result.body as object, result.status);
  });
  api.get(`${fhirPath}/Medication/:id`, sandboxBearer(source), (c) => {
    const med = sandboxPatientResources(patientOf(c.get("access").subject), Date.now()).find(
      (r) => r.resourceType === "Medication" && r.id === c.req.param("id"),
    );
    return med ? c.json(med) : c.json({ resourceType: "OperationOutcome", issue: [{ severity: "error", code: "not-found" }] }, 404);
  });
}
