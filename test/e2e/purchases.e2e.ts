import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { SCREENSHOTS, signInAsNewPerson, useChromium, watchConsole } from "./browser.ts";

const baseUrl = inject("baseUrl");
const screenshots = SCREENSHOTS;
const chromium = useChromium();
const signIn = (page: Page) => signInAsNewPerson(page, baseUrl, "buyer");

/** Connect Gmail: our own consent checkbox first, then the sandbox's Google consent page. */
async function connectGmail(page: Page): Promise<void> {
  await page.locator("#card-gmail").getByRole("link", { name: "Connect" }).click();
  await page.getByLabel(/I allow Wellness OS to search my Gmail for receipts/).check();
  await page.getByRole("button", { name: "Continue to Google" }).click();
  await page.waitForURL(/\/sandbox\/gmail\/authorize/);
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL(`${baseUrl}/settings?connected=gmail`);
}

describe("Purchase Intelligence in a real browser", () => {
  it("a newcomer connects Gmail offline, sees receipts parsed and items waiting for review, and corrects one", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await signIn(page);
    await connectGmail(page);
    await page.getByRole("link", { name: "Review purchases" }).click();
    await page.waitForURL(`${baseUrl}/settings/purchases`);
    // The scan runs in wrangler dev's queue consumer: reload until its receipts are there.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator("article.receipt").count();
        },
        { timeout: 45_000, interval: 1500 },
      )
      .toBeGreaterThanOrEqual(9);
    expect(await page.locator(".lede").innerText()).toMatch(/\d+ items? waits? for your review/);
    await page.screenshot({ path: join(screenshots, "purchases-desktop.png"), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(screenshots, "purchases-phone.png"), fullPage: true });

    // Correct the first item waiting for review to its top candidate: the page comes back with the notice.
    const row = page.locator("tr.purchase-review").first();
    await row.getByRole("button", { name: "Correct" }).click();
    await page.waitForURL(/\/settings\/purchases\?done=correct/);
    expect(await page.locator(".notice").innerText()).toContain("Corrected.");
    await page.screenshot({ path: join(screenshots, "purchases-corrected-phone.png") });

    // Gmail's own detail page lists the receipts found and leads to the review.
    await page.goto(`${baseUrl}/settings/connections/gmail`);
    expect(await page.getByRole("heading", { name: "Your receipts" }).count()).toBe(1);
    expect(await page.locator("#receipts-title + p").innerText()).toMatch(/^\d+ receipts with \d+ items/);
    await page.screenshot({ path: join(screenshots, "gmail-detail-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(screenshots, "gmail-detail-desktop.png"), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("works without JavaScript: rejecting an item is a plain form post", async () => {
    const setup = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await setup.newPage();
    await signIn(page);
    await connectGmail(page);
    const cookies = await setup.cookies();
    const noJs = await chromium.browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    await noJs.addCookies(cookies);
    const plain = await noJs.newPage();
    await expect
      .poll(
        async () => {
          await plain.goto(`${baseUrl}/settings/purchases`);
          return plain.locator("article.receipt").count();
        },
        { timeout: 45_000, interval: 1500 },
      )
      .toBeGreaterThanOrEqual(9);
    const rows = plain.locator("tr.purchase");
    const before = await rows.count();
    await rows.first().getByRole("button", { name: "Reject" }).click();
    await plain.waitForURL(/\/settings\/purchases\?done=reject/);
    expect(await plain.locator("tr.purchase-rejected").count()).toBe(1);
    expect(await plain.locator("tr.purchase").count()).toBe(before);
    await noJs.close();
    await setup.close();
  });
});
