import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { connectThroughSandbox, SCREENSHOTS, useChromium, watchConsole } from "./browser.ts";

// Every state of every card, and the detail pages, at phone and desktop width: screenshots to look at.
const baseUrl = inject("baseUrl");
const statePath = inject("statePath");
const root = join(import.meta.dirname, "..", "..");
const screenshots = join(SCREENSHOTS, "states");
const chromium = useChromium(screenshots);

const VIEWPORTS = [
  { name: "390", width: 390, height: 844 },
  { name: "1280", width: 1280, height: 900 },
] as const;

/** A connection id as the app makes them (src/lib/ids.ts newId); routes refuse any other shape. */
const connectionId = () => `conn_${randomUUID().replaceAll("-", "")}`;
/** The person's id as the app derives it (src/lib/ids.ts userIdFor). */
const userIdOf = (email: string) => `usr_${createHash("sha256").update(`dev:${email}`).digest("hex").slice(0, 32)}`;

/** SQL against wrangler dev's own local D1: the states a browser cannot reach on demand (stale, errors). */
function sql(command: string): void {
  // wrangler dev writes to the same SQLite file (queue consumers, syncs): retry while it holds the lock.
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync(
        join(root, "node_modules", ".bin", "wrangler"),
        ["d1", "execute", "DB", "--local", "--env", "development", "--persist-to", statePath, "--command", command],
        {
          cwd: root,
          env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
          stdio: "pipe",
        },
      );
      return;
    } catch (error) {
      if (attempt >= 15 || !String((error as { stderr?: unknown }).stderr ?? error).includes("SQLITE_BUSY")) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${baseUrl}/dev/sign-in?next=/settings`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${baseUrl}/settings`);
}

async function connectInBrowser(page: Page, source: string, vendor: string): Promise<void> {
  await connectThroughSandbox(page, baseUrl, source, vendor);
}

describe("card states and detail pages, screenshotted", () => {
  it("renders available, connected, syncing, stale, needs_reauth, error, disconnected (and coming soon where any is)", async () => {
    const email = `states-${Date.now()}@example.test`;
    const userId = userIdOf(email);
    const setup = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await setup.newPage();
    const problems = watchConsole(page);
    await signIn(page, email);
    // Real connections through the sandboxes: Oura (its backfill runs in wrangler dev's queue), Garmin (the sandbox
    // pushes the requested history to our webhook).
    await connectInBrowser(page, "oura", "Oura");
    await connectInBrowser(page, "garmin", "Garmin");
    await expect.poll(() => page.locator("#card-oura").innerText(), { timeout: 60_000 }).toMatch(/Synced .* · next/);

    const now = Date.now();
    const row = (source: string, status: string, extra: string) =>
      `INSERT INTO integration_connections (id, user_id, source_id, status, mode, connected_at, updated_at${extra ? `, ${extra.split("=")[0]}` : ""}) VALUES ('${connectionId()}', '${userId}', '${source}', '${status}', 'sandbox', ${now - 86_400_000}, ${now}${extra ? `, ${extra.split("=")[1]}` : ""});`;
    sql(
      [
        row("whoop", "needs_reauth", "status_reason='WHOOP stopped accepting our access. Reconnect to resume syncing.'"),
        row("fitbit", "error", "status_reason='Google Health kept failing for 6 hours, so recent data may be missing.'"),
        row("dexcom", "disconnected", ""),
        // Health records, connected: its page says what is coming.
        row("epic", "connected", ""),
      ].join(" "),
    );
    // Stale: connected, the last attempt ten minutes ago, no success for two days (cadence 6 h, stale after 12 h).
    // Withings: its sandbox pushes nothing to a connection that never subscribed, and the next run is an hour away,
    // so nothing refreshes the row before the screenshot.
    sql(
      `INSERT INTO integration_connections (id, user_id, source_id, status, mode, connected_at, updated_at, last_sync_at, last_success_at, next_sync_at) VALUES ('${connectionId()}', '${userId}', 'withings', 'connected', 'sandbox', ${now - 30 * 86_400_000}, ${now}, ${now - 10 * 60_000}, ${now - 2 * 86_400_000}, ${now + 3_600_000});`,
    );
    // Garmin's detail page, once the sandbox's pushed history has landed.
    await page.goto(`${baseUrl}/settings/connections/garmin`);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator(".chart rect.bar").count();
        },
        { timeout: 90_000, interval: 2000 },
      )
      .toBeGreaterThan(10);
    // Syncing: a queued run for Oura, as Sync now leaves it.
    sql(
      `INSERT INTO sync_runs (id, connection_id, user_id, source_id, trigger, status, started_at) SELECT 'run_e2e_${now}', id, user_id, source_id, 'manual', 'queued', ${now} FROM integration_connections WHERE user_id = '${userId}' AND source_id = 'oura';`,
    );
    await setup.close();

    for (const viewport of VIEWPORTS) {
      const context = await chromium.browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      const view = await context.newPage();
      const viewProblems = watchConsole(view);
      await signIn(view, email);
      await view.screenshot({ path: join(screenshots, `settings-${viewport.name}.png`), fullPage: true });
      for (const [state, source] of [
        ["syncing", "oura"],
        ["stale", "withings"],
        ["needs_reauth", "whoop"],
        ["error", "fitbit"],
        ["disconnected", "dexcom"],
        ["connected", "epic"],
        ["available", "gmail"],
      ] as const) {
        const card = view.locator(`#card-${source}`);
        await card.scrollIntoViewIfNeeded();
        if (state === "stale") expect(await card.locator(".stale").innerText()).toMatch(/Stale: no successful sync recently/);
        await card.screenshot({ path: join(screenshots, `card-${state}-${source}-${viewport.name}.png`) });
        // Disconnect never sits alone on its own line while other actions fit above it (the card's own actions; a
        // records card's health systems each have theirs).
        const actions = await card.locator(":scope > .actions > *").evaluateAll((nodes) => nodes.map((n) => Math.round(n.getBoundingClientRect().top)));
        if (actions.length > 1) expect(new Set(actions).size, `${source} actions on one line at ${viewport.name}`).toBe(1);
      }
      // Coming soon: in development every source has a sandbox or Junction's local API, so any left is screenshotted.
      for (const card of await view.locator("article.card-coming_soon").all()) {
        const id = await card.getAttribute("id");
        await card.screenshot({ path: join(screenshots, `card-coming_soon-${id}-${viewport.name}.png`) });
      }
      for (const source of ["garmin", "oura", "epic", "dexcom"]) {
        await view.goto(`${baseUrl}/settings/connections/${source}`);
        await view.screenshot({ path: join(screenshots, `detail-${source}-${viewport.name}.png`), fullPage: true });
      }
      expect(viewProblems).toEqual([]);
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
