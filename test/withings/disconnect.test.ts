import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { withingsCall } from "../../src/providers/withings/api";
import { ensureWithingsSubscriptions } from "../../src/providers/withings/subscriptions";
import { createSandboxFetch } from "../../src/sandbox/fetch";
import { connectThroughSandbox, hubHoldsTokens, postForm, recordingQueue, signIn } from "../helpers";

const NOTIFY = "https://wbsapi.withings.net/notify";
const hub = (userId: string) => env.USER_HUB.get(env.USER_HUB.idFromName(userId));

/** Calls Withings' notify API (the sandbox's) with a person's access token. */
function asPerson(accessToken: string) {
  const sandbox = createSandboxFetch(env);
  return {
    env,
    request: (url: string | URL, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${accessToken}`);
      return sandbox(url, { ...init, headers });
    },
  };
}

describe("disconnecting Withings", () => {
  it("removes the person's notification subscriptions at Withings and forgets their tokens", async () => {
    const session = await signIn();
    await connectThroughSandbox("withings", session, { callbackEnv: { SYNC_QUEUE: recordingQueue() } });
    const access = await hub(session.userId).getAccessToken(session.userId, "withings");
    if (!access.ok) throw new Error("no access");
    const person = asPerson(access.accessToken);
    expect(await ensureWithingsSubscriptions(person)).toEqual({ created: 2, removed: 0, unchanged: 0 });
    expect(((await withingsCall(person, NOTIFY, { action: "list" })) as { profiles: unknown[] }).profiles).toHaveLength(2);

    const response = await postForm("/api/integrations/withings/disconnect", session, {});
    expect(response.status).toBe(303);
    expect(await hubHoldsTokens(session.userId, "withings")).toBe(false);
    expect(await withingsCall(person, NOTIFY, { action: "list" })).toEqual({ profiles: [] });
  });
});

describe("rotating WITHINGS_WEBHOOK_SECRET", () => {
  it("the next scheduled sync subscribes the new callback and removes the old one", async () => {
    const session = await signIn();
    await connectThroughSandbox("withings", session, { callbackEnv: { SYNC_QUEUE: recordingQueue() } });
    const access = await hub(session.userId).getAccessToken(session.userId, "withings");
    if (!access.ok) throw new Error("no access");
    const person = asPerson(access.accessToken);
    expect(await ensureWithingsSubscriptions({ ...person, env: { ...env, WITHINGS_WEBHOOK_SECRET: "old-key" } })).toMatchObject({ created: 2 });
    expect(await ensureWithingsSubscriptions({ ...person, env: { ...env, WITHINGS_WEBHOOK_SECRET: "new-key" } })).toEqual({
      created: 2,
      removed: 2,
      unchanged: 0,
    });
    const { profiles } = (await withingsCall(person, NOTIFY, { action: "list" })) as { profiles: { callbackurl: string }[] };
    expect(profiles.map((profile) => profile.callbackurl)).toEqual([
      "http://localhost:8787/webhooks/withings?key=new-key",
      "http://localhost:8787/webhooks/withings?key=new-key",
    ]);
  });
});
