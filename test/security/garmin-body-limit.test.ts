import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createApp } from "../../src/app";
import { garminWebhook } from "../../src/providers/garmin/webhook";
import { recordingQueue } from "../helpers";
import { CHUNK_BYTES, countingBody } from "./counting-body";

// Issue 12, item 1: with the right token, a body over Garmin's real push size (10 MB, Health API v1.2.2 §9) is
// refused with 413 as soon as it passes the limit, streamed, never buffered whole: declared or not.
const SECRET = "garmin-endpoint-secret-for-body-limit";
const LIMIT = 10 * 1024 * 1024;

async function push(body: BodyInit, headers: Record<string, string> = {}) {
  const queue = recordingQueue();
  const response = await createApp().fetch(
    new Request(`https://integrations.wellness-os.example/webhooks/garmin?token=${SECRET}`, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", ...headers },
    }),
    { ...env, GARMIN_WEBHOOK_SECRET: SECRET, WEBHOOK_QUEUE: queue },
    createExecutionContext(),
  );
  return { response, queue };
}

it("the limit is Garmin's documented minimum", () => {
  expect(garminWebhook.maxBodyBytes).toBe(LIMIT);
});

it("a 30 MB stream without Content-Length is cut off just past 10 MB with 413", async () => {
  const body = countingBody(30 * 1024 * 1024);
  const { response, queue } = await push(body.stream);
  expect(response.status).toBe(413);
  expect(body.read.bytes).toBeGreaterThan(LIMIT);
  expect(body.read.bytes).toBeLessThanOrEqual(LIMIT + 2 * CHUNK_BYTES);
  expect(queue.sent).toEqual([]);
});

it("a declared Content-Length over 10 MB is refused before reading", async () => {
  const body = countingBody(11 * 1024 * 1024);
  const { response } = await push(body.stream, { "Content-Length": String(11 * 1024 * 1024) });
  expect(response.status).toBe(413);
  expect(body.read.bytes).toBe(0);
});
