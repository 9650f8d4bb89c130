import { revokeByToken } from "../../sandbox/grants";
import { sandboxApi } from "../../sandbox/types";

/** Google's OAuth host (token endpoint aside, which the shared sandbox server answers): revocation. */
export const googleAccountsSandboxApi = sandboxApi();

googleAccountsSandboxApi.post("/revoke", async (c) => {
  const form = await c.req.parseBody();
  const token = typeof form.token === "string" ? form.token : "";
  if (!token) return c.json({ error: "invalid_request", error_description: "token is required" }, 400);
  await revokeByToken(c.env, token);
  return c.body(null, 200);
});
