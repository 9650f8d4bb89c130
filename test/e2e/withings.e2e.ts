import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { SCREENSHOTS, signInAsNewPerson, useChromium, watchConsole } from "./browser.ts";

const baseUrl = inject("baseUrl");
const screenshots = SCREENSHOTS;
const chromium = useChromium();
const signIn = (page: Page) => signInAsNewPerson(page, baseUrl, "scale");

describe("the Withings scale in a real browser", () => {
  for (const viewport of [
    { name: "phone", width: 390, height: 844 },
    { name: "desktop", width: 1280, height: 900 },
  ]) {
    it(`connects the sandbox scale and shows the year's trend at ${viewport.name} width`, async () => {
      const context = await chromium.browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signIn(page);

      await page.locator("#card-withings").getByRole("link", { name: "Connect" }).click();
      await page.getByRole("button", { name: "Continue to Withings" }).click();
      await page.waitForURL(/\/sandbox\/withings\/authorize/);
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL(`${baseUrl}/settings?connected=withings`);
      // The year's backfill runs in wrangler dev's queue consumer; the card polls itself until it is done.
      await expect.poll(() => page.locator("#card-withings").innerText(), { timeout: 45_000 }).toMatch(/Synced .* · next in/);
      if (viewport.name === "phone") await page.locator("#card-withings").screenshot({ path: join(screenshots, "withings-card-phone.png") });

      await page.locator("#card-withings").getByRole("link", { name: "Details" }).click();
      await page.waitForURL(`${baseUrl}/settings/connections/withings`);
      await expect.poll(() => page.locator("#chart-weight-title").innerText()).toContain("(kg)");
      expect(await page.locator(".trend path.line").count()).toBe(2);
      expect(await page.locator(".pressure circle.systolic").count()).toBeGreaterThan(5);
      await page.screenshot({ path: join(screenshots, `withings-detail-${viewport.name}.png`), fullPage: true });

      await page.getByRole("button", { name: "lb", exact: true }).click();
      await page.waitForURL(`${baseUrl}/settings/connections/withings`);
      await expect.poll(() => page.locator("#chart-weight-title").innerText()).toContain("(lb)");
      if (viewport.name === "desktop") await page.locator(".body-detail").screenshot({ path: join(screenshots, "withings-detail-lb-desktop.png") });

      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
