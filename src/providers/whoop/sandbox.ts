import { revokeByToken } from "../../sandbox/grants";
import { sandboxApi, sandboxBearer, type ProviderSandbox } from "../../sandbox/types";

const api = sandboxApi();

api.use("/developer/*", sandboxBearer("whoop"));

/** WHOOP member ids are int64s; the sandbox derives a stable one from the subject. */
export function sandboxWhoopUserId(subject: string): number {
  return Number.parseInt(subject.replace(/[^0-9a-f]/g, "").slice(0, 8), 16) % 10_000_000;
}

api.get("/developer/v2/user/profile/basic", (c) => {
  const { subject } = c.get("access");
  return c.json({ user_id: sandboxWhoopUserId(subject), email: `${subject}@sandbox.whoop.test`, first_name: "Sandbox", last_name: "Member" });
});

api.delete("/developer/v2/user/access", async (c) => {
  await revokeByToken(c.env, (c.req.header("Authorization") ?? "").slice(7));
  return c.body(null, 204);
});

export const whoopSandbox: ProviderSandbox = {
  source: "whoop",
  hosts: ["api.prod.whoop.com"],
  accessTokenTtlSeconds: 3600,
  refreshNeedsOfflineScope: true,
  api,
};
