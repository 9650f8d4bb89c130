import { type Context, Hono } from "hono";
import { type DayUpdate, userHubFor } from "../../durable-objects/user-hub";
import { DailyPicturePanel, type DailyPictureView, sourceName } from "../../views/daily-picture";
import type { AppEnv } from "../app-env";
import { announceDays } from "../days/announce";
import { DEFAULT_PRECEDENCE, METRIC_LABELS, METRICS, type Metric } from "../days/precedence";
import { addDays, dateOf, isTimeZone, zoneOn } from "../days/zone";
import { SourceId } from "../domain/integration";
import { isHtmx, renderPage } from "./render";

type Errors = NonNullable<DailyPictureView["errors"]>;

/** Sends what a read found owed (a day that changed since it was announced) after the response. */
function announceLater(c: Context<AppEnv>, userId: string, owed: readonly DayUpdate[]): void {
  if (owed.length === 0) return;
  c.executionCtx.waitUntil(
    announceDays(c.env, userId, owed).catch((error: unknown) =>
      console.error(JSON.stringify({ event: "days_announce_failed", name: error instanceof Error ? error.name : typeof error })),
    ),
  );
}

async function render(c: Context<AppEnv>, extra: { notice?: string; errors?: Errors; status?: 200 | 422; timeZone?: string } = {}) {
  const userId = c.get("user").id;
  const hub = userHubFor(c.env, userId);
  const now = Date.now();
  const read = await (async () => {
    const settings = await hub.daySettings(userId);
    const yesterday = addDays(dateOf(now, settings.zones), -1);
    return { settings, yesterday, ...(await hub.days(userId, yesterday, yesterday, now)) };
  })().catch((error: unknown) => {
    console.error(JSON.stringify({ event: "days_unavailable", name: error instanceof Error ? error.name : typeof error }));
    return null;
  });
  if (!read) {
    const message = (
      <div id="daily-picture">
        <p class="form-error" role="alert">
          Your daily picture cannot be read just now. Nothing was lost; try again in a minute.
        </p>
      </div>
    );
    return isHtmx(c) ? c.html(message, 503) : renderPage(c, "What Wellness OS sees", message, 503);
  }
  const { settings, yesterday, days, owed } = read;
  announceLater(c, userId, owed);
  const panel = (
    <DailyPicturePanel
      day={days[0]!}
      connected={settings.connected}
      overrides={settings.overrides}
      timeZone={extra.timeZone ?? zoneOn(addDays(yesterday, 1), settings.zones)}
      csrfToken={c.get("csrfToken")}
      notice={extra.notice}
      errors={extra.errors}
    />
  );
  if (isHtmx(c)) return c.html(panel, extra.status ?? 200);
  return renderPage(
    c,
    "What Wellness OS sees",
    <>
      <p>
        <a href="/settings">← Integrations</a>
      </p>
      <h1>What Wellness OS sees</h1>
      {panel}
    </>,
    extra.status ?? 200,
  );
}

/**
 * The "What Wellness OS sees" panel and the person's choice of source per metric (docs/daily-picture.md). The
 * settings page loads the panel after it renders, so the page itself stays one D1 query.
 */
export const dayRoutes = new Hono<AppEnv>()
  .get("/", (c) => render(c))
  .post("/", async (c) => {
    const form = await c.req.parseBody();
    const errors: Errors = {};
    const choices: Partial<Record<Metric, SourceId | null>> = {};
    for (const metric of METRICS) {
      const value = form[metric];
      if (value === undefined) continue;
      if (value === "") {
        choices[metric] = null;
        continue;
      }
      const source = SourceId.safeParse(value);
      if (!source.success) errors[metric] = "That is not a source Wellness OS knows.";
      else if (!DEFAULT_PRECEDENCE[metric].includes(source.data))
        errors[metric] = `${sourceName(source.data)} does not measure ${METRIC_LABELS[metric].toLowerCase()}.`;
      else choices[metric] = source.data;
    }
    const zoneField = form.time_zone;
    const zone = typeof zoneField === "string" && zoneField.trim() !== "" ? zoneField.trim() : null;
    if (zone !== null && !isTimeZone(zone)) errors.time_zone = "Use a time zone name such as Europe/Paris or America/New_York.";
    if (Object.keys(errors).length > 0) return render(c, { errors, status: 422, ...(typeof zoneField === "string" && { timeZone: zoneField.slice(0, 64) }) });

    const userId = c.get("user").id;
    const result = await userHubFor(c.env, userId).setDayPreferences(userId, choices, zone);
    if (!result.saved) {
      for (const metric of result.notConnected)
        errors[metric] = `You have not connected ${sourceName(choices[metric]!)}. Connect it first, or pick another source.`;
      return render(c, { errors, status: 422 });
    }
    return render(c, { notice: "Saved. Days not yet final follow your choices." });
  });
