import { z } from "zod";
import { CatalogEntry, type SourceId } from "./integration";

const GOOGLE_HEALTH_SCOPE = "https://www.googleapis.com/auth/googlehealth";

const PRIVACY_DEFAULT =
  "Wellness OS reads only what is listed here, stores it encrypted, never sells it, and deletes it when you ask. You can disconnect at any time.";

/** The nine sources Wellness OS ships with, in the order the settings page shows them. */
export const CATALOG = z.array(CatalogEntry).parse([
  {
    id: "oura",
    name: "Oura Ring",
    vendor: "Oura",
    type: "wearable",
    section: "devices",
    description: "Sleep, readiness, activity and heart rate from your Oura Ring.",
    reads: ["Sleep sessions and daily sleep score", "Readiness score", "Daily activity and steps", "Heart rate"],
    scopes: ["daily", "heartrate"],
    connectMethod: "oauth2",
    credentialVars: ["OURA_CLIENT_ID", "OURA_CLIENT_SECRET"],
    hasSandbox: true,
    mark: { letters: "O", color: "#1f2937" },
    privacyNote: PRIVACY_DEFAULT,
  },
  {
    id: "whoop",
    name: "WHOOP",
    vendor: "WHOOP",
    type: "wearable",
    section: "devices",
    description: "Recovery, strain, sleep and workouts from your WHOOP strap.",
    reads: ["Recovery, HRV and resting heart rate", "Daily strain (cycles)", "Sleep", "Workouts", "Body measurements", "Your WHOOP member id (to match its notifications to you)"],
    scopes: ["read:recovery", "read:cycles", "read:sleep", "read:workout", "read:body_measurement", "read:profile", "offline"],
    connectMethod: "oauth2",
    credentialVars: ["WHOOP_CLIENT_ID", "WHOOP_CLIENT_SECRET"],
    hasSandbox: true,
    mark: { letters: "W", color: "#111111" },
    privacyNote: PRIVACY_DEFAULT,
  },
  {
    id: "fitbit",
    name: "Fitbit",
    vendor: "Google",
    type: "wearable",
    section: "devices",
    description:
      "Steps, heart rate and sleep from Fitbit and Pixel Watch, through the Google Health API. Existing Fitbit connections must consent again with Google.",
    reads: ["Steps and activity", "Heart rate and resting heart rate", "Sleep"],
    scopes: [
      `${GOOGLE_HEALTH_SCOPE}.activity_and_fitness.readonly`,
      `${GOOGLE_HEALTH_SCOPE}.health_metrics_and_measurements.readonly`,
      `${GOOGLE_HEALTH_SCOPE}.sleep.readonly`,
    ],
    connectMethod: "oauth2",
    credentialVars: ["GOOGLE_HEALTH_CLIENT_ID", "GOOGLE_HEALTH_CLIENT_SECRET"],
    hasSandbox: true,
    mark: { letters: "Fb", color: "#00a0a6" },
    privacyNote: PRIVACY_DEFAULT,
  },
  {
    id: "garmin",
    name: "Garmin",
    vendor: "Garmin",
    type: "wearable",
    section: "devices",
    description: "Daily summaries, sleep and all-day heart rate that Garmin Connect pushes as your watch syncs.",
    reads: ["Daily summaries (steps, energy, resting heart rate)", "Sleep", "15-minute activity epochs"],
    // Garmin grants permissions per app, chosen by the person on Garmin Connect, not by OAuth scope.
    scopes: [],
    connectMethod: "oauth2",
    credentialVars: ["GARMIN_CLIENT_ID", "GARMIN_CLIENT_SECRET"],
    hasSandbox: true,
    mark: { letters: "G", color: "#007cc3" },
    privacyNote: PRIVACY_DEFAULT,
  },
  {
    id: "apple-health",
    name: "Apple Health",
    vendor: "Apple",
    type: "app",
    section: "devices",
    description: "HealthKit data from your iPhone, shared through the Wellness OS mobile app.",
    reads: ["Activity, workouts and sleep you allow in the Health app"],
    // HealthKit permissions are granted on the phone; there is no web OAuth scope.
    scopes: [],
    connectMethod: "aggregator",
    credentialVars: ["JUNCTION_API_KEY"],
    hasSandbox: false,
    mark: { letters: "AH", color: "#ff2d55" },
    privacyNote: PRIVACY_DEFAULT,
  },
  {
    id: "health-connect",
    name: "Google Health Connect",
    vendor: "Google",
    type: "app",
    section: "devices",
    description: "Health Connect data from your Android phone, shared through the Wellness OS mobile app.",
    reads: ["Activity, workouts and sleep you allow in Health Connect"],
    scopes: [],
    connectMethod: "aggregator",
    credentialVars: ["JUNCTION_API_KEY"],
    hasSandbox: false,
    mark: { letters: "HC", color: "#4285f4" },
    privacyNote: PRIVACY_DEFAULT,
  },
  {
    id: "dexcom",
    name: "Dexcom CGM",
    vendor: "Dexcom",
    type: "cgm",
    section: "devices",
    description: "Glucose readings every five minutes from your Dexcom G6, G7 or ONE+, plus calibrations and events.",
    reads: ["Glucose readings and trends", "Calibrations", "Logged carbs, insulin, exercise and health events", "Device info"],
    scopes: ["offline_access"],
    connectMethod: "oauth2",
    credentialVars: ["DEXCOM_CLIENT_ID", "DEXCOM_CLIENT_SECRET"],
    hasSandbox: true,
    mark: { letters: "Dx", color: "#58a618" },
    privacyNote:
      "Dexcom shares readings with a delay (about an hour in the US, up to three hours elsewhere); Wellness OS always shows the time of the latest reading. " +
      PRIVACY_DEFAULT,
  },
  {
    id: "epic",
    name: "Epic MyChart",
    vendor: "Epic",
    type: "ehr",
    section: "records",
    description: "Lab results, conditions and medications from your health system's MyChart, via SMART on FHIR.",
    reads: ["Lab results", "Conditions (problem list)", "Medications"],
    scopes: [
      "openid",
      "fhirUser",
      "launch/patient",
      "offline_access",
      "patient/Patient.read",
      "patient/Observation.read",
      "patient/Condition.read",
      "patient/MedicationRequest.read",
    ],
    connectMethod: "smart-on-fhir",
    credentialVars: ["EPIC_CLIENT_ID", "EPIC_FHIR_BASE_URL"],
    hasSandbox: true,
    mark: { letters: "E", color: "#c8102e" },
    privacyNote:
      "Medical records are read-only: Wellness OS never writes to your chart. " + PRIVACY_DEFAULT,
  },
  {
    id: "gmail",
    name: "Gmail receipts",
    vendor: "Google",
    type: "email",
    section: "purchases",
    description: "Finds grocery and pharmacy receipts in your Gmail so purchases can count toward your goals.",
    reads: ["Receipt and order-confirmation emails only (read-only)"],
    scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
    connectMethod: "oauth2",
    credentialVars: ["GMAIL_CLIENT_ID", "GMAIL_CLIENT_SECRET"],
    hasSandbox: true,
    mark: { letters: "Gm", color: "#ea4335" },
    privacyNote:
      "Wellness OS searches only for receipts, never sends or deletes mail, and keeps only the purchase lines it extracts. " +
      PRIVACY_DEFAULT,
  },
] satisfies z.input<typeof CatalogEntry>[]);

const BY_ID = new Map(CATALOG.map((entry) => [entry.id, entry]));

export function catalogEntry(id: SourceId): CatalogEntry {
  const entry = BY_ID.get(id);
  if (!entry) throw new Error(`catalog has no source ${id}`);
  return entry;
}

export function findCatalogEntry(id: string): CatalogEntry | undefined {
  return BY_ID.get(id as SourceId);
}
