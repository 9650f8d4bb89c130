import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

// Fail closed (issue 12, item 5): the configuration a bare `wrangler deploy` reads is production, and development
// is a separately named Worker that cannot replace it. Read from wrangler.toml by wrangler itself (vitest.config.ts).
const { production, development } = env.TEST_WRANGLER_ENVIRONMENTS;

describe("wrangler.toml's environments", () => {
  it("the default (top-level) configuration is production: the production entry, no development database", () => {
    expect(production.environment).toBe("production");
    expect(production.main).toBe("src/index.ts");
    expect(production.d1).not.toContain("DEV_DB");
  });

  it("development is its own Worker name, unreachable if deployed, and the only one with DEV_DB", () => {
    expect(development.environment).toBe("development");
    expect(development.main).toBe("src/development/index.ts");
    expect(development.name).not.toBe(production.name);
    expect(development.workersDev).toBe(false);
    expect(development.routes).toEqual([]);
    expect(development.d1).toContain("DEV_DB");
  });
});
