import { exports } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { get, ORIGIN, postForm, signIn } from "../helpers";
import { storedRecords } from "../records/inspect";
import { connectionOf } from "./harness";

// A newcomer connects Apple Health offline: the settings page's code, the development phone, Junction's
// webhooks through the real endpoint and queue, and the records arriving in the person's UserHub.

it("the development phone takes the handoff, grants permissions and Apple Health's data arrives", async () => {
  const session = await signIn();
  const shown = await postForm("/api/integrations/apple-health/handoff", session, {}, { headers: { "HX-Request": "true" } });
  const link = /<a href="([^"]+)">open this link<\/a>/.exec(await shown.text())?.[1]?.replaceAll("&amp;", "&");
  const code = new URL(link!).searchParams.get("code")!;

  const phone = await get(`/dev/phone?code=${encodeURIComponent(code)}`, session);
  expect(await phone.text()).toContain("Allow and connect");

  const body = new URLSearchParams({ _csrf: session.csrfToken, code });
  for (const permission of ["sleep", "activity", "heartrate"]) body.append("permissions", permission);
  const granted = await exports.default.fetch(`${ORIGIN}/dev/phone`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, Cookie: session.cookie },
    body,
  });
  const page = await granted.text();
  expect(granted.status, page).toBe(200);
  expect(page).toMatch(/sent (\d+) of \1 Junction events/);

  // The queue's consumer works through the events: the card turns connected and the data lands.
  await vi.waitFor(async () => expect(await connectionOf(session.userId, "apple-health")).toMatchObject({ status: "connected" }), {
    timeout: 20_000,
    interval: 250,
  });
  await vi.waitFor(
    async () => {
      const kinds = new Set((await storedRecords(session.userId, { source: "apple-health" })).map((row) => row.kind));
      expect([...kinds].sort()).toEqual(["daily_activity", "heart_rate", "sleep_session"]);
    },
    { timeout: 20_000, interval: 250 },
  );
  // A second grant with the same code is refused: the code was spent.
  const again = await exports.default.fetch(`${ORIGIN}/dev/phone`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, Cookie: session.cookie },
    body,
  });
  expect(again.status).toBe(400);
  expect(await again.text()).toContain("already used");
});
