import { revokeByToken } from "../../sandbox/grants";
import { sandboxApi, sandboxBearer, type ProviderSandbox } from "../../sandbox/types";

const api = sandboxApi();

api.use("/wellness-api/*", sandboxBearer("garmin"));

api.get("/wellness-api/rest/user/id", (c) => c.json({ userId: c.get("access").subject }));

api.delete("/wellness-api/rest/user/registration", async (c) => {
  await revokeByToken(c.env, (c.req.header("Authorization") ?? "").slice(7));
  return c.body(null, 204);
});

export const garminSandbox: ProviderSandbox = {
  source: "garmin",
  hosts: ["apis.garmin.com"],
  accessTokenTtlSeconds: 86_400,
  api,
};
