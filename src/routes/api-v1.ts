import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { userHubFor } from "../../durable-objects/user-hub";
import { announceDays } from "../days/announce";
import { addDays } from "../days/zone";
import { RecordKind } from "../domain/records";
import { timingSafeEqual } from "../lib/encoding";
import { purchasesRoute } from "../purchases/api";
import { moveHealthRecords } from "../records/move-from-d1";

const MAX_LIMIT = 1000;

const Cursor = z.object({ t: z.number().int(), id: z.number().int().min(1) });

function encodeCursor(cursor: z.infer<typeof Cursor>): string {
  return btoa(JSON.stringify(cursor)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function decodeCursor(value: string): z.infer<typeof Cursor> | null {
  try {
    return Cursor.parse(JSON.parse(atob(value.replaceAll("-", "+").replaceAll("_", "/"))));
  } catch {
    return null;
  }
}

/**
 * A person's UserHub that cannot answer (storage failing, or its record store's migration failed): logged by
 * class only, and answered as a 503 to retry rather than a 500.
 */
function unavailable(error: unknown): null {
  console.error(JSON.stringify({ event: "records_unavailable", name: error instanceof Error ? error.name : typeof error }));
  return null;
}

const MoveQuery = z.object({
  page_size: z.coerce.number().int().min(1).max(1000).default(200),
  pages: z.coerce.number().int().min(1).max(20).default(5),
});

const RecordsQuery = z
  .object({
    kind: RecordKind.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: "from must be before to", path: ["to"] });

/** The longest range one request may ask for: a year, leap day included. */
const MAX_DAYS = 366;

const DaysQuery = z
  .object({ from: z.iso.date(), to: z.iso.date() })
  .refine((q) => q.from <= q.to, { message: "from must not be after to", path: ["to"] })
  // Zod runs refinements even when a field already failed: addDays throws a RangeError on what is not a date.
  .refine((q) => !isDate(q.from) || q.to < addDays(q.from, MAX_DAYS), {
    message: `at most ${MAX_DAYS} days from from to to, both included`,
    path: ["to"],
  });
const isDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));

/**
 * The service API the rest of Wellness OS reads normalized records through (docs/api.md). A bearer token from
 * the SERVICE_API_TOKEN secret; JSON in, JSON out; keyset pagination on (start_time, id). The records are read
 * from the person's own UserHub.
 */
export const apiV1Routes = new Hono<{ Bindings: Env }>()
  // A machine API answers in JSON, errors included (the app's own error pages are HTML for people).
  .onError((error, c) => {
    // bearerAuth's refusals carry their own JSON body and WWW-Authenticate header.
    if (error instanceof HTTPException && error.status < 500) return error.res ?? c.json({ error: error.message || "request refused" }, error.status);
    console.error(JSON.stringify({ event: "api_error", name: error.name }));
    return c.json({ error: "internal error" }, 500);
  })
  .notFound((c) => c.json({ error: "not found" }, 404))
  .use(
    bearerAuth({
      verifyToken: (token, c) => {
        const expected = (c.env as Env).SERVICE_API_TOKEN;
        return Boolean(expected) && timingSafeEqual(token, expected);
      },
      noAuthenticationHeader: { message: { error: "a bearer token is required" } },
      invalidAuthenticationHeader: { message: { error: "the Authorization header must be Bearer <token>" } },
      invalidToken: { message: { error: "the token is not valid" } },
    }),
  )
  .get("/users/:userId/records", async (c) => {
    const userId = c.req.param("userId");
    const parsed = RecordsQuery.safeParse(c.req.query());
    if (!parsed.success || userId.length > 100) {
      return c.json(
        { error: "invalid query", issues: parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
        400,
      );
    }
    const query = parsed.data;
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !cursor) return c.json({ error: "invalid query", issues: [{ path: "cursor", message: "not a cursor this API issued" }] }, 400);

    const results = await userHubFor(c.env, userId)
      .listRecords(userId, {
        kind: query.kind,
        from: query.from ? Date.parse(query.from) : undefined,
        to: query.to ? Date.parse(query.to) : undefined,
        after: cursor ? { startTime: cursor.t, id: cursor.id } : undefined,
        limit: query.limit + 1,
      })
      .catch(unavailable);
    if (!results) return c.json({ error: "the person's records are unavailable just now; try again later" }, 503, { "Retry-After": "60" });
    const page = results.slice(0, query.limit);
    const last = page.at(-1);
    return c.json({
      records: page.map((row) => ({
        id: `rec_${row.id}`,
        source: row.source,
        // Which of the person's health systems (its FHIR base); null for every other source.
        account: row.account || null,
        kind: row.kind,
        external_id: row.externalId,
        start_time: new Date(row.startTime).toISOString(),
        end_time: row.endTime === null ? null : new Date(row.endTime).toISOString(),
        data: JSON.parse(row.data) as unknown,
        updated_at: new Date(row.updatedAt).toISOString(),
      })),
      next_cursor: results.length > query.limit && last ? encodeCursor({ t: last.startTime, id: last.id }) : null,
    });
  })
  .get("/users/:userId/purchases", purchasesRoute)
  .get("/users/:userId/days", async (c) => {
    const userId = c.req.param("userId");
    const parsed = DaysQuery.safeParse(c.req.query());
    if (!parsed.success || userId.length > 100) {
      return c.json(
        { error: "invalid query", issues: parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
        400,
      );
    }
    const result = await userHubFor(c.env, userId).days(userId, parsed.data.from, parsed.data.to).catch(unavailable);
    if (!result) return c.json({ error: "the person's days are unavailable just now; try again later" }, 503, { "Retry-After": "60" });
    // Days that changed since they were last announced (a day that became final by the clock, say) are sent now.
    c.executionCtx.waitUntil(
      announceDays(c.env, userId, result.owed).catch((error: unknown) =>
        console.error(JSON.stringify({ event: "days_announce_failed", name: error instanceof Error ? error.name : typeof error })),
      ),
    );
    return c.json({ days: result.days });
  })
  // Operators: one step of moving D1's health_records into the people's objects (docs/runbook.md). Call it until
  // it answers `finished` (or `no_table`); every call is safe to repeat.
  .post("/admin/records/move", async (c) => {
    const parsed = MoveQuery.safeParse(c.req.query());
    if (!parsed.success)
      return c.json({ error: "invalid query", issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) }, 400);
    const result = await moveHealthRecords(c.env, { pageSize: parsed.data.page_size, maxPages: parsed.data.pages }).catch(unavailable);
    if (!result) return c.json({ error: "the move could not finish this step; nothing was lost, call again" }, 503, { "Retry-After": "60" });
    return c.json(result);
  });
