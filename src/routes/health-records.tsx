import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { userHubFor } from "../../durable-objects/user-hub";
import { HealthRecords, HealthRecordsSummary } from "../../views/health-records";
import { SystemList } from "../../views/health-systems";
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

async function clinicalRows(c: Context<AppEnv>, userId: string, source: CardState["entry"]["id"], account?: string) {
  try {
    return await userHubFor(c.env, userId).recordsSince(userId, source, CLINICAL_KINDS, EARLIEST, account);
  } catch (error) {
    console.error(JSON.stringify({ event: "records_unavailable", name: error instanceof Error ? error.name : typeof error }));
    return null;
  }
}

/** The connections whose records the view shows: every health system, or the source's one connection. */
const connectionsOf = (state: CardState) => (state.systems.length > 0 ? state.systems : state.connection ? [state.connection] : []);

/** The records view for a connection's detail page; null when the person's records cannot be read just now. */
export async function healthRecordsSection(c: Context<AppEnv>, state: CardState): Promise<Child | null> {
  const rows = await clinicalRows(c, c.get("user").id, state.entry.id);
  if (!rows) return null;
  const connections = connectionsOf(state);
  // Records of a system since disconnected keep its name when the person kept its data.
  const names = new Map(connections.map((row) => [row.account, row.accountName ?? state.entry.name]));
  const systemOf = (account: string) => names.get(account) ?? (account ? new URL(account).hostname : state.entry.name);
  const notices = connections.map((row) => ({
    system: row.accountName ?? state.entry.name,
    notShared: notSharedWords(row),
    error: row.status === "disconnected" ? null : (row.lastError ?? row.statusReason ?? null),
  }));
  return <HealthRecords view={buildHealthRecords(rows.map((row) => ({ ...row, system: systemOf(row.account) })))} notices={notices} />;
}

/** The card's list of health systems (each with its counts, loaded after the page) for a card that has them. */
export function healthRecordsCardSlots(states: readonly CardState[], now: number, csrfToken: string): Partial<Record<string, Child>> {
  const slots: Partial<Record<string, Child>> = {};
  for (const state of states) {
    if (!showsHealthRecords(state)) continue;
    if (state.systems.length > 0) {
      slots[state.entry.id] = <SystemList entry={state.entry} systems={state.systems} now={now} csrfToken={csrfToken} />;
    } else if (state.status === "connected" || state.status === "error") {
      slots[state.entry.id] = <div hx-get={`/settings/records-summary/${state.entry.id}`} hx-trigger="load" hx-swap="outerHTML" class="records-summary" />;
    }
  }
  return slots;
}

/** One connection's counts (one health system's, on a card that lists several). */
export async function healthRecordsSummary(c: Context<AppEnv>, state: CardState, connection: IntegrationConnection): Promise<Response> {
  const rows = await clinicalRows(c, c.get("user").id, state.entry.id, state.systems.length > 0 ? connection.account : undefined);
  if (!rows) return c.html(<p class="reason">Your records cannot be counted just now.</p>);
  return c.html(<HealthRecordsSummary counts={countHealthRecords(rows)} notShared={notSharedWords(connection)} />);
}
