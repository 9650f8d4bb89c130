import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { userHubFor } from "../../durable-objects/user-hub";
import { HealthRecords, HealthRecordsSummary } from "../../views/health-records";
import type { AppEnv } from "../app-env";
import type { IntegrationConnection } from "../db/schema";
import type { CardState } from "../domain/card-state";
import { buildHealthRecords, CLINICAL_KINDS, countHealthRecords, EARLIEST } from "../domain/health-records";
import { inWords } from "../providers/smart-fhir/resources";
import { resourcesNotGranted } from "../providers/smart-fhir/scopes";

/** Health-records sources (type `ehr`) show their records instead of daily charts. */
export const showsHealthRecords = (state: CardState) => state.entry.type === "ehr";

/** The resources the person's grant left out, in words ("lab results and medications"), or null. */
function notSharedWords(connection: Pick<IntegrationConnection, "scopes"> | null): string | null {
  const missing = resourcesNotGranted(connection?.scopes ?? null);
  return missing.length > 0 ? inWords(missing) : null;
}

async function clinicalRows(c: Context<AppEnv>, userId: string, source: CardState["entry"]["id"]) {
  try {
    return await userHubFor(c.env, userId).recordsSince(userId, source, CLINICAL_KINDS, EARLIEST);
  } catch (error) {
    console.error(JSON.stringify({ event: "records_unavailable", name: error instanceof Error ? error.name : typeof error }));
    return null;
  }
}

/** The records view for a connection's detail page; null when the person's records cannot be read just now. */
export async function healthRecordsSection(c: Context<AppEnv>, state: CardState): Promise<Child | null> {
  const rows = await clinicalRows(c, c.get("user").id, state.entry.id);
  if (!rows) return null;
  const error = state.connection?.lastError ?? state.reason ?? null;
  return <HealthRecords view={buildHealthRecords(rows)} system={state.entry.name} notShared={notSharedWords(state.connection)} error={error} />;
}

/** The card's counts load after the page (one read of the person's records), as the live card's readings do. */
export function healthRecordsCardSlots(states: readonly CardState[]): Partial<Record<string, Child>> {
  const slots: Partial<Record<string, Child>> = {};
  for (const state of states) {
    if (!showsHealthRecords(state) || (state.status !== "connected" && state.status !== "error")) continue;
    slots[state.entry.id] = <div hx-get={`/settings/records-summary/${state.entry.id}`} hx-trigger="load" hx-swap="outerHTML" class="records-summary" />;
  }
  return slots;
}

export async function healthRecordsSummary(c: Context<AppEnv>, state: CardState): Promise<Response> {
  const rows = await clinicalRows(c, c.get("user").id, state.entry.id);
  if (!rows) return c.html(<p class="reason">Your records cannot be counted just now.</p>);
  return c.html(<HealthRecordsSummary counts={countHealthRecords(rows)} notShared={notSharedWords(state.connection)} />);
}
