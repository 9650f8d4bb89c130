import type { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { SourceId } from "../domain/integration";
import { dexcomSandbox } from "../providers/dexcom/sandbox";
import { epicSandbox } from "../providers/epic/sandbox";
import { fitbitSandbox } from "../providers/fitbit/sandbox";
import { garminSandbox } from "../providers/garmin/sandbox";
import { gmailSandbox } from "../providers/gmail/sandbox";
import { googleAccountsSandboxApi } from "../providers/google/sandbox";
import { junctionSandboxApi } from "../providers/junction/sandbox";
import { ouraSandbox } from "../providers/oura/sandbox";
import { whoopSandbox } from "../providers/whoop/sandbox";
import { withingsSandbox } from "../providers/withings/sandbox";
import { WithingsScaleControl } from "../providers/withings/sandbox-scale";
import type { ProviderSandbox, SandboxEnv } from "./types";

/** Every source that has a development sandbox (catalog `hasSandbox`). */
export const SANDBOXES: ReadonlyMap<SourceId, ProviderSandbox> = new Map(
  [ouraSandbox, whoopSandbox, fitbitSandbox, garminSandbox, withingsSandbox, dexcomSandbox, epicSandbox, gmailSandbox].map((s) => [s.source, s]),
);

/** Hosts shared by several sources (Google's OAuth host serves Fitbit and Gmail). */
export const SHARED_SANDBOX_HOSTS: ReadonlyMap<string, Hono<SandboxEnv>> = new Map([
  ["oauth2.googleapis.com", googleAccountsSandboxApi],
  // Junction serves every source reached through it (src/providers/junction/sandbox.ts).
  ["api.sandbox.us.junction.com", junctionSandboxApi],
  ["api.sandbox.eu.junction.com", junctionSandboxApi],
]);

/** Controls a sandbox offers on its source's detail page, standing in for the person's device (Withings: "Step on the scale"). */
export const SANDBOX_CONTROLS: ReadonlyMap<SourceId, (props: { csrfToken: string }) => Child> = new Map([["withings", WithingsScaleControl]]);
