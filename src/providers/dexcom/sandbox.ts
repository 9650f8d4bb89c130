import { sandboxApi, sandboxBearer, type ProviderSandbox } from "../../sandbox/types";

const api = sandboxApi();

api.use("/v3/*", sandboxBearer("dexcom"));

export const dexcomSandbox: ProviderSandbox = {
  source: "dexcom",
  // Whatever region is configured, the sandbox answers for it.
  hosts: ["sandbox-api.dexcom.com", "api.dexcom.com", "api.dexcom.eu", "api.dexcom.jp"],
  accessTokenTtlSeconds: 7200,
  api,
};
