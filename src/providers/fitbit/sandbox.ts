import { sandboxApi, sandboxBearer, type ProviderSandbox } from "../../sandbox/types";

const api = sandboxApi();

api.use("/v4/*", sandboxBearer("fitbit"));

// users.getIdentity: the Google Health user id, and the legacy Fitbit id it replaces.
api.get("/v4/users/me/identity", (c) => {
  const { subject } = c.get("access");
  return c.json({ name: `users/${subject}/identity`, healthUserId: subject, legacyUserId: subject.slice(4, 10).toUpperCase() });
});

export const fitbitSandbox: ProviderSandbox = {
  source: "fitbit",
  hosts: ["health.googleapis.com"],
  accessTokenTtlSeconds: 3599,
  api,
};
