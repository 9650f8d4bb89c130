import type { ProviderAdapter } from "../types";
import { gmailAuth } from "./auth";

export const gmail: ProviderAdapter = {
  id: "gmail",
  auth: gmailAuth,
};
