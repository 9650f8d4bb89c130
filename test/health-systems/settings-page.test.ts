import { expect, it } from "vitest";
import { get, seedConnection, signIn } from "../helpers";

it("the settings page lists each connected health system on the records card, with its own actions", async () => {
  const session = await signIn();
  await seedConnection(session.userId, "epic", "connected", { account: "", accountName: "Epic Sandbox Hospital" });
  await seedConnection(session.userId, "epic", "needs_reauth", {
    account: "https://launch.smarthealthit.org/v/r4/fhir",
    accountName: "SMART Sandbox Clinic",
    statusReason: "SMART Sandbox Clinic refused Wellness OS's access. Reconnect to resume syncing.",
  });

  const page = await (await get("/settings", session)).text();
  const card = page.slice(page.indexOf('id="card-epic"'), page.indexOf("</article>", page.indexOf('id="card-epic"')));

  expect(card).toContain('aria-label="Connected health systems"');
  expect(card).toContain("Epic Sandbox Hospital");
  expect(card).toContain("SMART Sandbox Clinic");
  // The healthy system pulls on demand; the refused one asks to be reconnected, by its own connection.
  expect(card).toMatch(/<button type="submit" class="btn btn-secondary">\s*Sync now/);
  expect(card).toMatch(/href="\/settings\/connect\/epic\?connection=conn_[0-9a-f]{32}"[^>]*>\s*Reconnect/);
  expect(new Set(card.match(/\/settings\/disconnect\/epic\?connection=conn_[0-9a-f]{32}/g)).size).toBe(2);
});
