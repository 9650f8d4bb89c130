import type { ProviderAdapter } from "../types";
import { dexcomAuth } from "./auth";
import { dexcomCatalog } from "./catalog";
import { DexcomStream } from "./live-stream";
import { dexcomSync } from "./sync";

export const dexcom: ProviderAdapter = {
  id: "dexcom",
  catalog: dexcomCatalog,
  auth: dexcomAuth,
  sync: dexcomSync,
  // Glucose every five minutes, followed from the person's UserHub on its alarm.
  live: { open: ({ sql, env, tokens, records }) => new DexcomStream(sql, env, tokens, records) },
};
