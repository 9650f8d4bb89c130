import { describe, expect, it } from "vitest";
import { get, signIn } from "../helpers";

describe("the health-system directory in the Connect dialog", () => {
  it("lists the matches as the person types, each a CSRF-protected form for its own address", async () => {
    const session = await signIn();
    const response = await get("/settings/health-systems/epic?q=smart%20clinic", session, { "HX-Request": "true" });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("SMART Sandbox Clinic");
    expect(html).not.toContain("Epic Sandbox Hospital");
    expect(html).toContain('name="fhir_base" value="https://launch.smarthealthit.org/v/r4/fhir"');
    expect(html).toContain(`name="_csrf" value="${session.csrfToken}"`);
  });

  it("says so when nothing matches, and points to entering the address", async () => {
    const session = await signIn();
    const html = await (await get("/settings/health-systems/epic?q=nowhere-general", session, { "HX-Request": "true" })).text();
    expect(html).toContain("No health system matches");
    expect(html).toContain("enter its FHIR address");
  });

  it("works without JavaScript: the dialog as a page searches on submit", async () => {
    const session = await signIn();
    const page = await (await get("/settings/connect/epic?q=epic", session)).text();
    expect(page).toContain("Connect your health system");
    expect(page).toContain("Epic Sandbox Hospital");
    expect(page).toContain("Not listed? Enter its FHIR address");
  });

  it("has no directory for a source connected once", async () => {
    const session = await signIn();
    expect((await get("/settings/health-systems/oura?q=a", session)).status).toBe(404);
  });
});
