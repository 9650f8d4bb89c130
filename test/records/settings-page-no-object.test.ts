import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createApp } from "../../src/app";
import { countingD1, ORIGIN, seedConnection, signIn } from "../helpers";

it("the settings page with a connected Dexcom reads one D1 query and never calls the person's UserHub", async () => {
  const session = await signIn();
  await seedConnection(session.userId, "dexcom", "connected", { lastSyncAt: Date.now() });
  await seedConnection(session.userId, "oura", "connected", { lastSyncAt: Date.now() });
  const counted = countingD1(env.DB);
  let hubCalls = 0;
  const hubs = new Proxy(env.USER_HUB, {
    get(target, property) {
      hubCalls++;
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request(`${ORIGIN}/settings`, { headers: { Cookie: session.cookie } }),
    { ...env, DB: counted.binding, USER_HUB: hubs },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const html = await response.text();
  expect(response.status).toBe(200);
  expect(counted.statements()).toBe(1);
  expect(hubCalls).toBe(0);
  // The card's readings come from the object afterwards, over the WebSocket or the fragment route.
  expect(html).toContain('hx-ws:connect="/live/dexcom"');
  expect(html).toContain('hx-trigger="load, every 300s"');
});
