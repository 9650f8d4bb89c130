import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { SCREENSHOTS, signInAsNewPerson, useChromium, watchConsole } from "./browser.ts";

const baseUrl = inject("baseUrl");
const screenshots = SCREENSHOTS;
const chromium = useChromium();
const signIn = (page: Page) => signInAsNewPerson(page, baseUrl, "records");

describe("health records in a real browser", () => {
  for (const viewport of [
    { name: "phone", width: 390, height: 844 },
    { name: "desktop", width: 1280, height: 900 },
  ]) {
    // The first run also waits for wrangler dev's queue consumer to start and work through ten backfill jobs.
    it(`a newcomer connects Epic's sandbox and the records fill, at ${viewport.name} width`, { timeout: 180_000 }, async () => {
      const context = await chromium.browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signIn(page);

      await page.locator("#card-epic").getByRole("link", { name: "Connect" }).click();
      await page.getByRole("button", { name: "Continue to Epic" }).click();
      await page.waitForURL(/\/sandbox\/epic\/authorize/);
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL(`${baseUrl}/settings?connected=epic`);

      // The backfill runs in wrangler dev's queue consumer; the card counts what arrived.
      await expect
        .poll(
          async () => {
            await page.reload();
            // The counts load after the page (hx-trigger="load"): wait for them before reading.
            await page.locator("#card-epic .records-summary p").first().waitFor({ timeout: 10_000 });
            return page.locator("#card-epic").innerText();
          },
          { timeout: 150_000, interval: 2000 },
        )
        .toMatch(/\d{2,} lab results · 6 conditions · 6 medications/);
      await page.locator("#card-epic").screenshot({ path: join(screenshots, `health-records-card-${viewport.name}.png`) });

      await page.locator("#card-epic").getByRole("link", { name: "Details" }).click();
      await page.waitForURL(`${baseUrl}/settings/connections/epic`);
      await expect.poll(() => page.locator(".labs h4").first().innerText()).toBeTruthy();
      expect(await page.locator("svg.lab-trend").count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator(".clinical-list li").count()).toBe(12);
      await page.screenshot({ path: join(screenshots, `health-records-${viewport.name}.png`), fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
