import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { connectThroughSandbox, SCREENSHOTS, signInAsNewPerson, useChromium, watchConsole } from "./browser.ts";

const baseUrl = inject("baseUrl");
const screenshots = SCREENSHOTS;
const chromium = useChromium();
const signIn = (page: Page) => signInAsNewPerson(page, baseUrl, "days");

async function connectInBrowser(page: Page, source: string, vendor: string): Promise<void> {
  await connectThroughSandbox(page, baseUrl, source, vendor);
  await expect.poll(() => page.locator(`#card-${source}`).innerText(), { timeout: 45_000 }).toMatch(/Synced .* · next in/);
}

describe("What Wellness OS sees", () => {
  it("shows yesterday from two wearables, and the person picks where sleep comes from", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await signIn(page);
    await connectInBrowser(page, "oura", "Oura");
    await connectInBrowser(page, "whoop", "WHOOP");
    await page.goto(`${baseUrl}/settings`);
    const panel = page.locator("#daily-picture");
    await expect.poll(() => panel.innerText(), { timeout: 15_000 }).toContain("Wearable bonus");
    expect(await panel.locator("th", { hasText: "Sleep" }).count()).toBe(1);

    await page.getByLabel("Sleep comes from").selectOption("whoop");
    const posted = page.waitForResponse((response) => response.url().endsWith("/settings/days") && response.request().method() === "POST");
    await page.getByRole("button", { name: "Save" }).click();
    expect((await posted).status()).toBe(200);
    await expect.poll(() => panel.innerText()).toContain("Saved.");
    expect(await page.getByLabel("Sleep comes from").inputValue()).toBe("whoop");
    // Checked before the screenshots: Playwright's own screenshot styles are what this page's CSP forbids.
    expect(problems).toEqual([]);

    await page.locator("#section-days").screenshot({ path: join(screenshots, "daily-picture-desktop.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#section-days").screenshot({ path: join(screenshots, "daily-picture-phone.png") });
    await context.close();
  });

  it("works without JavaScript: the slot links to the panel as a page, and the form posts back to it", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole("link", { name: /Yesterday's picture/ }).click();
    await page.waitForURL(`${baseUrl}/settings/days`);
    await page.getByLabel("Time zone").fill("Not/AZone");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator(".field-error").innerText()).toContain("time zone name");
    await page.screenshot({ path: join(screenshots, "daily-picture-nojs-phone.png"), fullPage: true });
    await context.close();
  });
});
