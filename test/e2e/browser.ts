import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Debian's Chromium, headless, with the flags this offline machine needs (no background network at all). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu", "--no-first-run"],
  });
}

// A 422 is the form's answer to invalid input, shown inline on purpose; Chromium still logs it as a failed load.
const EXPECTED = /Failed to load resource: the server responded with a status of 422/;

/** Collects console errors, CSP violations and uncaught exceptions, which must stay empty on every page. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !EXPECTED.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return problems;
}

/** Where the browser tests save the screenshots people look at (phone and desktop width). */
export const SCREENSHOTS = join(import.meta.dirname, "..", "..", "test-results", "screenshots");

/** One Chromium for a test file: launched before its tests, closed after them. Read `.browser` inside a test. */
export function useChromium(folder = SCREENSHOTS): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error("Chromium is not running: useChromium() must be called at the top of the test file");
      return browser;
    },
  };
}

/** A new person, as a browser meets the app: the development sign-in first, with an email never used before. */
export async function signInAsNewPerson(page: Page, baseUrl: string, prefix: string): Promise<void> {
  await page.goto(`${baseUrl}/settings`);
  await expect.poll(() => new URL(page.url()).pathname).toBe("/dev/sign-in");
  await page.getByLabel("Email").fill(`${prefix}-${Date.now()}-${Math.random().toString(16).slice(2)}@example.test`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${baseUrl}/settings`);
}

/** Connects a source through its development sandbox as a person does: Connect, the vendor's page, Allow. */
export async function connectThroughSandbox(page: Page, baseUrl: string, source: string, vendor: string): Promise<void> {
  await page.locator(`#card-${source}`).getByRole("link", { name: "Connect" }).click();
  await page.getByRole("button", { name: `Continue to ${vendor}` }).click();
  await page.waitForURL(new RegExp(`/sandbox/${source}/authorize`));
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL(`${baseUrl}/settings?connected=${source}`);
}
