import { describe, expect, it } from "vitest";
import { EPIC_DIRECTORY } from "../epic/directory";
import { findSystem, normalizeFhirBase, searchSystems } from "./systems";

describe("a FHIR address a person enters", () => {
  it("is normalized to one form: lower-case host, no trailing slash, the path's case kept", () => {
    expect(normalizeFhirBase(" https://EpicProxy.Example.org/FhirProxy/api/FHIR/R4/ ")).toEqual({
      ok: true,
      fhirBase: "https://epicproxy.example.org/FhirProxy/api/FHIR/R4",
    });
  });

  it.each([
    ["", "Enter your health system's FHIR address"],
    ["fhir.example.org/api/FHIR/R4", "not a web address"],
    ["http://fhir.example.org/api/FHIR/R4", "must start with https://"],
    ["https://user:pw@fhir.example.org/api/FHIR/R4", "user name or password"],
    ["https://fhir.example.org/api/FHIR/R4?x=1", "must not contain ? or #"],
    ["https://127.0.0.1/api/FHIR/R4", "not an IP address"],
    ["https://[::1]/api/FHIR/R4", "not an IP address"],
    ["https://localhost/api/FHIR/R4", "not an IP address"],
    [`https://fhir.example.org/${"a".repeat(600)}`, "too long"],
  ])("refuses %j with a reason a person can act on", (input, reason) => {
    const checked = normalizeFhirBase(input);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toContain(reason);
  });
});

describe("the Epic directory (Epic's published R4 endpoints)", () => {
  it("ships every published endpoint with an https base in normalized form", () => {
    expect(EPIC_DIRECTORY.length).toBeGreaterThan(1000);
    for (const system of EPIC_DIRECTORY) {
      expect(normalizeFhirBase(system.fhirBase)).toEqual({ ok: true, fhirBase: system.fhirBase });
      expect(system.name.trim()).toBe(system.name);
    }
  });

  it("finds a system by any words of its name, names that start with the query first", () => {
    expect(searchSystems(EPIC_DIRECTORY, "mass general").map((s) => s.name)).toContain("Mass General Brigham");
    const kaiser = searchSystems(EPIC_DIRECTORY, "kaiser");
    expect(kaiser.length).toBeGreaterThan(3);
    expect(kaiser.every((s) => s.name.startsWith("Kaiser Permanente"))).toBe(true);
    const cleveland = searchSystems(EPIC_DIRECTORY, "cleveland").map((s) => s.name);
    expect(cleveland.indexOf("Cleveland Clinic")).toBeLessThan(cleveland.indexOf("University Hospitals Cleveland"));
  });

  it("lists nothing for an empty query and at most the limit for a broad one", () => {
    expect(searchSystems(EPIC_DIRECTORY, "  ")).toEqual([]);
    expect(searchSystems(EPIC_DIRECTORY, "health", 20)).toHaveLength(20);
    expect(searchSystems(EPIC_DIRECTORY, "zzzz-no-such-system")).toEqual([]);
  });

  it("names an entered address that the directory lists as the directory does", () => {
    const system = EPIC_DIRECTORY.find((s) => s.name === "Mayo Clinic")!;
    const typed = normalizeFhirBase(`${system.fhirBase}/`);
    expect(typed.ok && findSystem(EPIC_DIRECTORY, typed.fhirBase)?.name).toBe("Mayo Clinic");
  });
});
