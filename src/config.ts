/**
 * What each environment must have configured before it serves anyone. Checked once per isolate; a missing value
 * is reported by name (never by value) and the app answers 503 rather than running half-configured.
 */
const REQUIRED: Record<string, readonly (keyof Env)[]> = {
  development: ["PUBLIC_BASE_URL", "SESSION_SECRET", "TOKEN_ENCRYPTION_KEY"],
  production: ["PUBLIC_BASE_URL", "SESSION_SECRET", "TOKEN_ENCRYPTION_KEY", "SERVICE_API_TOKEN", "CF_ACCESS_TEAM_DOMAIN", "CF_ACCESS_AUD"],
};

const checked = new WeakMap<object, readonly string[]>();

export function missingConfiguration(env: Env): readonly string[] {
  const cached = checked.get(env);
  if (cached) return cached;
  const required = REQUIRED[env.ENVIRONMENT];
  const missing = required
    ? required.filter((name) => {
        const value = (env as unknown as Record<string, unknown>)[name];
        return typeof value !== "string" || value.length === 0;
      })
    : ["ENVIRONMENT (must be development or production)"];
  checked.set(env, missing);
  return missing;
}

export function isDevelopment(env: Pick<Env, "ENVIRONMENT">): boolean {
  return env.ENVIRONMENT === "development";
}
