import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createApp } from "../../src/app";
import { recordingQueue } from "../helpers";

// Issue 12, item 3: an authorized Google Health notification nested ~130k levels deep threw a RangeError (a 500,
// which Google retries for days). Every webhook body now has its nesting bounded before it is parsed: a clear 400.
const SECRET = "Bearer google-health-secret-for-depth";

it("answers a deeply nested, authorized Google Health notification 400 and queues nothing", async () => {
  const depth = 130_000;
  // The documented notification shape (src/providers/fitbit/fixtures/notification-steps-upsert.webhooks-page.json)
  // with its physical start time nested 130k arrays deep.
  const nested = `${"[".repeat(depth)}"2026-03-08T01:29:00Z"${"]".repeat(depth)}`;
  const body = `{"data":{"healthUserId":"health-user-id","operation":"UPSERT","dataType":"steps","intervals":[{"physicalTimeInterval":{"startTime":${nested},"endTime":"2026-03-08T01:34:00Z"}}]}}`;
  const queue = recordingQueue();
  const response = await createApp().fetch(
    new Request("https://integrations.wellness-os.example/webhooks/google-health", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", Authorization: SECRET },
    }),
    { ...env, GOOGLE_HEALTH_WEBHOOK_SECRET: SECRET, WEBHOOK_QUEUE: queue },
    createExecutionContext(),
  );
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ error: "JSON nests deeper than 64 levels" });
  expect(queue.sent).toEqual([]);
});
