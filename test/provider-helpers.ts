import { env } from "cloudflare:workers";
import type { SourceId } from "../src/domain/integration";
import type { PullContext, SyncSpec, SyncWindow } from "../src/providers/types";
import { createSandboxFetch } from "../src/sandbox/fetch";
import { issueSandboxAccessToken } from "../src/sandbox/grants";
import { createPullContext, SubrequestBudget } from "../src/sync/pull-context";

/**
 * A PullContext against a provider's sandbox (in-process, no network), for testing `pull` and the sandbox's
 * payload shapes together. `wrap` lets a test put faults between the adapter and the sandbox.
 */
export async function sandboxPullContext(
  source: SourceId,
  options: { subject?: string; wrap?: (inner: typeof fetch) => typeof fetch; budget?: number; now?: number; externalUserId?: string | null } = {},
): Promise<{ ctx: PullContext; budget: SubrequestBudget; subject: string }> {
  const subject = options.subject ?? `sbx-test-${crypto.randomUUID().slice(0, 8)}`;
  const token = await issueSandboxAccessToken(env, source, subject);
  const inner = createSandboxFetch(env);
  const budget = new SubrequestBudget(options.budget ?? 1000);
  const ctx = createPullContext({
    env: env,
    fetch: options.wrap ? options.wrap(inner) : inner,
    token: { current: async () => token, afterUnauthorized: async () => null },
    budget,
    externalUserId: options.externalUserId ?? subject,
    ...(options.now ? { now: options.now } : {}),
  });
  return { ctx, budget, subject };
}

/** Runs a pull to completion and returns its pages. */
export async function pullAll<K extends string>(spec: SyncSpec<K>, ctx: PullContext, window: SyncWindow) {
  const pages: { kind: K; body: unknown }[] = [];
  for await (const page of spec.pull(ctx, window)) pages.push(page);
  return pages;
}
