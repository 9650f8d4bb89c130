import type { z } from "zod";
import { type CatalogEntry, PRIVACY_DEFAULT } from "../../domain/integration";

/** The settings page's entry for this source. */
export const gmailCatalog = {
  id: "gmail",
  name: "Gmail receipts",
  vendor: "Google",
  type: "email",
  section: "purchases",
  description: "Finds grocery and pharmacy receipts in your Gmail so purchases can count toward your goals.",
  reads: ["Receipt and order-confirmation emails only (read-only)"],
  scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
  connectMethod: "oauth2",
  credentialVars: ["GMAIL_CLIENT_ID", "GMAIL_CLIENT_SECRET"],
  hasSandbox: true,
  mark: { letters: "Gm", color: "#ea4335" },
  privacyNote: "Wellness OS searches only for receipts, never sends or deletes mail, and keeps only the purchase lines it extracts. " + PRIVACY_DEFAULT,
  explicitConsent: {
    value: "receipts-read-only",
    text: "I allow Wellness OS to search my Gmail for receipts, read only those messages, and keep only the purchase lines it finds.",
  },
} satisfies z.input<typeof CatalogEntry>;
