import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { userHubFor } from "../../durable-objects/user-hub";
import { ORIGIN } from "../helpers";

it("a person's record store that cannot be read answers the records API with a 503 to retry, not a 500", async () => {
  const userId = `usr_broken_${crypto.randomUUID().slice(0, 8)}`;
  // A store whose table is gone (as after a first migration that failed): reads throw inside the object.
  await runInDurableObject(userHubFor(env, userId), (_instance, state) => state.storage.sql.exec("DROP TABLE records"));
  const response = await exports.default.fetch(`${ORIGIN}/api/v1/users/${userId}/records`, { headers: { Authorization: `Bearer ${env.SERVICE_API_TOKEN}` } });
  expect(response.status).toBe(503);
  expect(response.headers.get("Retry-After")).toBe("60");
  expect(await response.json()).toEqual({ error: "the person's records are unavailable just now; try again later" });
});
