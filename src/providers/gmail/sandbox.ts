import { type ProviderSandbox, sandboxApi, sandboxBearer } from "../../sandbox/types";

const api = sandboxApi();

api.use("/gmail/*", sandboxBearer("gmail"));

api.get("/gmail/v1/users/me/profile", (c) => {
  const { subject } = c.get("access");
  return c.json({ emailAddress: `${subject}@sandbox.gmail.test`, messagesTotal: 1204, threadsTotal: 987, historyId: "424242" });
});

export const gmailSandbox: ProviderSandbox = {
  source: "gmail",
  hosts: ["gmail.googleapis.com"],
  accessTokenTtlSeconds: 3599,
  api,
};
