import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { integrationConnections } from "../../src/db/schema";
import { db, postForm, signIn } from "../helpers";

const start = (session: Awaited<ReturnType<typeof signIn>>, fields: Record<string, string>, options?: { csrf?: boolean }) =>
  postForm("/api/integrations/epic/start", session, fields, options);

async function connectionsOf(userId: string) {
  return db().select().from(integrationConnections).where(eq(integrationConnections.userId, userId));
}

describe("choosing a health system by its address", () => {
  it.each([
    ["http://fhir.example.org/api/FHIR/R4", "must start with https://"],
    ["https://10.0.0.7/api/FHIR/R4", "not an IP address"],
    ["not a url", "not a web address"],
    ["", "FHIR address (it starts with https://)"],
  ])("refuses %j with a 400 that says why, and connects nothing", async (fhirBase, words) => {
    const session = await signIn();
    const response = await start(session, { fhir_base: fhirBase });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(words);
    expect(response.headers.get("Location")).toBeNull();
    expect(await connectionsOf(session.userId)).toEqual([]);
  });

  it("refuses an https server with no SMART configuration with a 422 naming the address", async () => {
    const session = await signIn();
    // The sandbox answers for the systems it serves; this host is not one, so there is no configuration to find.
    const response = await start(session, { fhir_base: "https://fhir.no-smart.example.org/api/FHIR/R4" });
    expect(response.status).toBe(422);
    const page = await response.text();
    expect(page).toContain("No SMART on FHIR sign-in was found at https://fhir.no-smart.example.org/api/FHIR/R4");
    expect(await connectionsOf(session.userId)).toEqual([]);
  });

  it("needs the page's CSRF token: another site cannot choose a system for the person", async () => {
    const session = await signIn();
    const response = await start(session, { fhir_base: "https://launch.smarthealthit.org/v/r4/fhir" }, { csrf: false });
    expect(response.status).toBe(403);
  });

  it("sends the person to the chosen system's own consent, with the system as the token's audience", async () => {
    const session = await signIn();
    const response = await start(session, { fhir_base: "https://LAUNCH.smarthealthit.org/v/r4/fhir/" });
    expect(response.status).toBe(303);
    const authorize = new URL(response.headers.get("Location")!);
    expect(authorize.searchParams.get("aud")).toBe("https://launch.smarthealthit.org/v/r4/fhir");
    expect(authorize.searchParams.get("scope")).toContain("patient/Observation.rs");
  });

  it("is only for sources connected per health system", async () => {
    const session = await signIn();
    const response = await postForm("/api/integrations/oura/start", session, { fhir_base: "https://launch.smarthealthit.org/v/r4/fhir" });
    expect(response.status).toBe(404);
  });
});
