import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ORIGIN } from "../helpers";

// Found by the fuzz pass: /api/v1/users/:id/days with a `from` that is not a date threw a RangeError (a 500) in the
// query's range check. A clear 400 now.
it.each(["from=&to=C3", "from=yesterday&to=2026-11-01", "from=2026-13-45&to=2026-11-01"])("answers days?%s with 400", async (query) => {
  const response = await exports.default.fetch(`${ORIGIN}/api/v1/users/usr_nobody/days?${query}`, {
    headers: { Authorization: `Bearer ${env.SERVICE_API_TOKEN}` },
  });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ error: "invalid query" });
});
