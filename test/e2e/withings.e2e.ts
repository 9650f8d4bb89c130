import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, watchConsole } from "./browser.ts";

const baseUrl = inject("baseUrl");
const screenshots = join(import.meta.dirname, "..", "..", "test-results", "screenshots");
let browser: Browser;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function signInAsNewPerson(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/settings`);
  await expect.poll(() => new URL(page.url()).pathname).toBe("/dev/sign-in");
  await page.getByLabel("Email").fill(`scale-${Date.now()}-${Math.random().toString(16).slice(2)}@example.test`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${baseUrl}/settings`);
}

describe("the Withings scale in a real browser", () => {
  for (const viewport of [
    { name: "phone", width: 390, height: 844 },
    { name: "desktop", width: 1280, height: 900 },
  ]) {
    it(`connects the sandbox scale and shows the year's trend at ${viewport.name} width`, async () => {
      const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signInAsNewPerson(page);

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
