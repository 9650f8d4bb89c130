import { revokeByToken } from "../../sandbox/grants";
import { sandboxApi, sandboxBearer, type ProviderSandbox } from "../../sandbox/types";

const api = sandboxApi();

// Oura revokes with the token in the query string (see auth.ts).
api.post("/oauth/revoke", async (c) => {
  const token = c.req.query("access_token");
  if (!token) return c.json({ detail: "access_token is required" }, 400);
  await revokeByToken(c.env, token);
  return c.body(null, 200);
});

api.use("/v2/*", sandboxBearer("oura"));

api.get("/v2/usercollection/personal_info", (c) => {
  const { subject } = c.get("access");
  return c.json({ id: subject, age: 34, weight: 68.5, height: 1.72, biological_sex: "female", email: `${subject}@sandbox.ouraring.test` });
});

export const ouraSandbox: ProviderSandbox = {
  source: "oura",
  hosts: ["api.ouraring.com"],
  accessTokenTtlSeconds: 86_400,
  api,
};
