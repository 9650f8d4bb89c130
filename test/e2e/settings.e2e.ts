import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { connectThroughSandbox, SCREENSHOTS, signInAsNewPerson, useChromium, watchConsole } from "./browser.ts";

const baseUrl = inject("baseUrl");
const screenshots = SCREENSHOTS;
const chromium = useChromium();
const signIn = (page: Page) => signInAsNewPerson(page, baseUrl, "new");

const dialog = (page: Page) => page.locator("dialog#modal");

/** Connect → Continue → the sandbox's consent page → Allow → back on settings, connected. */
async function connectInBrowser(page: Page, source: string, vendor: string): Promise<void> {
  await connectThroughSandbox(page, baseUrl, source, vendor);
}

describe("settings page in a real browser", () => {
  for (const viewport of [
    { name: "phone", width: 390, height: 844 },
    { name: "desktop", width: 1280, height: 900 },
  ]) {
    it(`works for a new person at ${viewport.name} width`, async () => {
      const context = await chromium.browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await signIn(page);

      await expect.poll(() => page.locator("#connected-count").innerText()).toContain("0 of 10 sources connected");
      await expect.poll(() => page.locator("#device-grid article").count()).toBe(8);
      await page.screenshot({ path: join(screenshots, `settings-${viewport.name}.png`), fullPage: true });

      // Filter tabs swap the grid through htmx and the URL follows.
      await page.getByRole("link", { name: "CGM", exact: true }).click();
      await expect.poll(() => page.locator("#device-grid article").count()).toBe(1);
      await expect.poll(() => page.url()).toBe(`${baseUrl}/settings?filter=cgm`);
      await expect.poll(() => page.locator("#tab-cgm").getAttribute("aria-current")).toBe("page");
      await page.getByRole("link", { name: "Wearables", exact: true }).click();
      await expect.poll(() => page.locator("#device-grid article").count()).toBe(5);
      await page.getByRole("link", { name: "All", exact: true }).click();
      await expect.poll(() => page.locator("#device-grid article").count()).toBe(8);

      // Connect modal: opens as a dialog, takes focus, closes on Escape and gives focus back.
      const connectOura = page.locator("#card-oura").getByRole("link", { name: "Connect" });
      await connectOura.click();
      await expect.poll(() => dialog(page).evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
      await expect.poll(() => page.locator("#modal-title").innerText()).toBe("Connect Oura Ring");
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("modal-title");
      await expect.poll(() => dialog(page).innerText()).toContain("daily");
      if (viewport.name === "phone") await page.screenshot({ path: join(screenshots, `connect-modal-${viewport.name}.png`) });
      await page.keyboard.press("Escape");
      await expect.poll(() => dialog(page).evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
      await expect.poll(() => connectOura.evaluate((el) => el === document.activeElement)).toBe(true);

      // Apple Health connects on the phone: the dialog fetches a one-time code at once and shows it as a QR code.
      await page.locator("#card-apple-health").getByRole("link", { name: "Connect" }).click();
      await expect.poll(() => page.locator("#modal-title").innerText()).toBe("Connect Apple Health on your phone");
      await expect.poll(() => dialog(page).locator(".handoff-qr svg").count()).toBe(1);
      await expect.poll(() => dialog(page).getByRole("link", { name: "open this link" }).count()).toBe(1);
      await page.screenshot({ path: join(screenshots, `phone-handoff-${viewport.name}.png`) });
      await page.keyboard.press("Escape");
      await expect.poll(() => dialog(page).evaluate((d: HTMLDialogElement) => d.open)).toBe(false);

      // Suggest a device: invalid first (inline errors), then valid (thank-you), keyboard only.
      await page.getByRole("link", { name: "Suggest a device" }).click();
      await expect.poll(() => page.locator("#modal-title").innerText()).toBe("Suggest a device");
      await page.getByRole("button", { name: "Send suggestion" }).click();
      await expect.poll(() => dialog(page).locator(".field-error").count()).toBe(2);
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-invalid"))).toBe("true");
      if (viewport.name === "desktop") await page.screenshot({ path: join(screenshots, `suggest-errors-${viewport.name}.png`) });
      await page.getByLabel("Device or app name").fill("Withings Body Scan");
      await page.getByLabel("Type").selectOption("scale");
      await page.getByLabel("Note (optional)").fill("The scale I already own");
      await page.getByLabel("Note (optional)").press("Tab");
      await page.keyboard.press("Enter");
      await expect.poll(() => page.locator("#modal-title").innerText()).toBe("Thank you");
      await expect.poll(() => dialog(page).innerText()).toContain("Withings Body Scan");
      await dialog(page).getByRole("button", { name: "Done" }).click();
      await expect.poll(() => dialog(page).evaluate((d: HTMLDialogElement) => d.open)).toBe(false);

      // Sections collapse and expand.
      await page.locator("#section-records > summary").click();
      await expect.poll(() => page.locator("#section-records").evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
      await page.locator("#section-records > summary").click();

      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it("connects and disconnects a sandbox source", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await signIn(page);

    await page.locator("#card-oura").getByRole("link", { name: "Connect" }).click();
    await page.getByRole("button", { name: "Continue to Oura" }).click();
    // The sandbox's consent page stands in for Oura's.
    await page.waitForURL(/\/sandbox\/oura\/authorize/);
    expect(await page.locator("h1").innerText()).toBe("Oura (sandbox)");
    await page.screenshot({ path: join(screenshots, "sandbox-consent-desktop.png") });
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(`${baseUrl}/settings?connected=oura`);
    expect(await page.locator(".notice").innerText()).toContain("Oura Ring is connected.");
    expect(await page.locator("#card-oura .badge").innerText()).toBe("Connected");
    expect(await page.locator("#connected-count").innerText()).toContain("1 of 10 sources connected");
    await page.screenshot({ path: join(screenshots, "connected-desktop.png"), fullPage: true });

    await page.locator("#card-oura").getByRole("link", { name: "Disconnect" }).click();
    await expect.poll(() => page.locator("#modal-title").innerText()).toBe("Disconnect Oura Ring?");
    await dialog(page).getByRole("button", { name: "Disconnect" }).click();
    await expect.poll(() => page.locator("#modal-title").innerText()).toBe("Oura Ring disconnected");
    await expect.poll(() => dialog(page).innerText()).toContain("Oura confirmed the access is revoked.");
    await expect.poll(() => page.locator("#card-oura .badge").innerText()).toBe("Disconnected");
    await expect.poll(() => page.locator("#connected-count").innerText()).toContain("0 of 10 sources connected");
    await dialog(page).getByRole("button", { name: "Done" }).click();
    // Focus lands on the replaced card's own action, not lost at the top of the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest("article")?.id)).toBe("card-oura");

    expect(problems).toEqual([]);
    await context.close();
  });

  it("syncs a connected source: the card shows the sync running and then its result, and the detail view charts it", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await signIn(page);
    await connectInBrowser(page, "oura", "Oura");

    // The backfill runs in wrangler dev's queue consumer; the card polls itself until it is done.
    await expect.poll(() => page.locator("#card-oura").innerText(), { timeout: 30_000 }).toMatch(/Synced .* · next/);
    await page.locator("#card-oura").getByRole("button", { name: "Sync now" }).click();
    await expect.poll(() => page.locator("#card-oura").innerText(), { timeout: 30_000 }).toMatch(/Synced just now · next/);

    await page.locator("#card-oura").getByRole("link", { name: "Details" }).click();
    await page.waitForURL(`${baseUrl}/settings/connections/oura`);
    await expect.poll(() => page.locator("#chart-steps-title").innerText()).toContain("Steps");
    expect(await page.locator(".chart rect.bar").count()).toBeGreaterThan(20);
    await page.screenshot({ path: join(screenshots, "oura-detail-desktop.png"), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows live Dexcom glucose on its card, pushed over a WebSocket", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    const sockets: string[] = [];
    page.on("websocket", (socket) => sockets.push(new URL(socket.url()).pathname));
    await signIn(page);
    await connectInBrowser(page, "dexcom", "Dexcom");

    // The Durable Object's first tick runs at once; the card then shows the reading, its trend and "As of".
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator("#card-dexcom .glucose-value").count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1);
    await expect.poll(() => page.locator("#card-dexcom").innerText()).toMatch(/\d+ mg\/dL \([\d.]+ mmol\/L\)/);
    expect(await page.locator("#card-dexcom").innerText()).toContain("As of");
    expect(await page.locator("#card-dexcom svg.sparkline path.line").count()).toBe(1);
    await expect.poll(() => sockets).toContain("/live/dexcom");
    await page.locator("#card-dexcom").screenshot({ path: join(screenshots, "dexcom-card-phone.png") });

    await page.locator("#card-dexcom").getByRole("link", { name: "Details" }).click();
    await page.waitForURL(`${baseUrl}/settings/connections/dexcom`);
    expect(await page.locator(".glucose-day svg path.line").count()).toBe(1);
    expect(await page.locator(".glucose-stats").innerText()).toMatch(/Time in range \(70–180\)\s+\d+ %/);
    await page.screenshot({ path: join(screenshots, "dexcom-detail-phone.png"), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("reads and filters without JavaScript", async () => {
    const context = await chromium.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole("link", { name: "CGM", exact: true }).click();
    await page.waitForURL(`${baseUrl}/settings?filter=cgm`);
    expect(await page.locator("#device-grid article").count()).toBe(1);
    await page.locator("#card-dexcom").getByRole("link", { name: "Connect" }).click();
    await page.waitForURL(`${baseUrl}/settings/connect/dexcom`);
    expect(await page.locator("#modal-title").innerText()).toBe("Connect Dexcom CGM");
    await context.close();
  });
});
