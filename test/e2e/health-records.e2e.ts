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
    it(`a newcomer connects two health systems from the directory and the records fill, at ${viewport.name} width`, { timeout: 240_000 }, async () => {
      const context = await chromium.browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signIn(page);

      // The dialog searches the directory as the person types; each match connects its own system.
      await page.locator("#card-epic").getByRole("link", { name: "Connect" }).click();
      await page.getByLabel("Health system or hospital").fill("sandbox");
      await page.locator("#system-results li").first().waitFor();
      await page.locator("#modal").screenshot({ path: join(screenshots, `health-systems-dialog-${viewport.name}.png`) });
      await page.locator("#system-results li", { hasText: "Epic Sandbox Hospital" }).getByRole("button", { name: "Connect" }).click();
      await page.waitForURL(/\/sandbox\/epic\/authorize/);
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL(`${baseUrl}/settings?connected=epic`);

      await page.locator("#card-epic").getByRole("link", { name: "Add a health system" }).click();
      await page.getByLabel("Health system or hospital").fill("smart health");
      await page.locator("#system-results li", { hasText: "SMART Sandbox Clinic" }).getByRole("button", { name: "Connect" }).click();
      await page.waitForURL(/\/sandbox\/epic\/authorize/);
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL(`${baseUrl}/settings?connected=epic`);

      // The backfills run in wrangler dev's queue consumer; each system's row counts what arrived from it.
      await expect
        .poll(
          async () => {
            await page.reload();
            // The counts load after the page (hx-trigger="load"): wait for them before reading.
            await page.locator("#card-epic .records-summary p").nth(1).waitFor({ timeout: 10_000 });
            return page.locator("#card-epic .system .records-summary").allInnerTexts();
          },
          { timeout: 200_000, interval: 2000 },
        )
        .toEqual([
          expect.stringMatching(/\d{2,} lab results · 6 conditions · 6 medications/),
          expect.stringMatching(/\d{2,} lab results · 6 conditions · 6 medications/),
        ]);
      expect(await page.locator("#card-epic").innerText()).toContain("2 health systems");
      await page.locator("#card-epic").screenshot({ path: join(screenshots, `health-records-card-${viewport.name}.png`) });

      await page.locator("#card-epic").getByRole("link", { name: "Records" }).click();
      await page.waitForURL(`${baseUrl}/settings/connections/epic`);
      await expect.poll(() => page.locator(".labs h4").first().innerText()).toBeTruthy();
      expect(await page.locator("svg.lab-trend").count()).toBeGreaterThanOrEqual(3);
      // Six conditions and six medications from each system, each naming where it came from.
      expect(await page.locator(".clinical-list li").count()).toBe(24);
      expect(await page.locator(".clinical-list li", { hasText: "SMART Sandbox Clinic" }).count()).toBe(12);
      await page.screenshot({ path: join(screenshots, `health-records-${viewport.name}.png`), fullPage: true });
      await page.screenshot({ path: join(screenshots, `health-records-top-${viewport.name}.png`) });

      // A typed address that is not https is refused in words, and nothing is connected.
      await page.goto(`${baseUrl}/settings/connect/epic`);
      await page.getByText("Not listed? Enter its FHIR address").click();
      await page.getByLabel(/FHIR R4 address/).fill("https://fhir.not-a-smart-server.example.org/api/FHIR/R4");
      await page.locator(".system-address-form").getByRole("button", { name: "Connect" }).click();
      await expect.poll(() => page.locator("main").innerText()).toContain("No SMART on FHIR sign-in was found");
      await page.screenshot({ path: join(screenshots, `health-systems-refused-${viewport.name}.png`) });
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
