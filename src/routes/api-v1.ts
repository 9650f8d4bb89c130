import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { RecordKind } from "../domain/records";
import { timingSafeEqual } from "../lib/encoding";

const MAX_LIMIT = 1000;

const Cursor = z.object({ t: z.number().int(), id: z.string().min(1) });

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

const RecordsQuery = z
  .object({
    kind: RecordKind.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: "from must be before to", path: ["to"] });

interface RecordRow {
  id: string;
  source_id: string;
  kind: string;
  external_id: string;
  start_time: number;
  end_time: number | null;
  data: string;
  updated_at: number;
}

/**
 * The service API the rest of Wellness OS reads normalized records through (docs/api.md). A bearer token from
 * the SERVICE_API_TOKEN secret; JSON in, JSON out; keyset pagination on (start_time, id).
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
      return c.json({ error: "invalid query", issues: parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) }, 400);
    }
    const query = parsed.data;
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !cursor) return c.json({ error: "invalid query", issues: [{ path: "cursor", message: "not a cursor this API issued" }] }, 400);

    const conditions = ["user_id = ?1"];
    const params: (string | number)[] = [userId];
    const bind = (value: string | number) => {
      params.push(value);
      return `?${params.length}`;
    };
    if (query.kind) conditions.push(`kind = ${bind(query.kind)}`);
    if (query.from) conditions.push(`start_time >= ${bind(Date.parse(query.from))}`);
    if (query.to) conditions.push(`start_time < ${bind(Date.parse(query.to))}`);
    if (cursor) conditions.push(`(start_time, id) > (${bind(cursor.t)}, ${bind(cursor.id)})`);
    const limitParam = bind(query.limit + 1);
    const { results } = await c.env.DB.prepare(
      `SELECT id, source_id, kind, external_id, start_time, end_time, data, updated_at FROM health_records
       WHERE ${conditions.join(" AND ")} ORDER BY start_time, id LIMIT ${limitParam}`,
    )
      .bind(...params)
      .all<RecordRow>();
    const page = results.slice(0, query.limit);
    const last = page.at(-1);
    return c.json({
      records: page.map((row) => ({
        id: row.id,
        source: row.source_id,
        kind: row.kind,
        external_id: row.external_id,
        start_time: new Date(row.start_time).toISOString(),
        end_time: row.end_time === null ? null : new Date(row.end_time).toISOString(),
        data: JSON.parse(row.data) as unknown,
        updated_at: new Date(row.updated_at).toISOString(),
      })),
      next_cursor: results.length > query.limit && last ? encodeCursor({ t: last.start_time, id: last.id }) : null,
    });
  });
