import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { NormalizedRecord } from "../src/domain/records";
import { ORIGIN, seedConnection } from "./helpers";
import { seedStoredRecords } from "./records/inspect";

const TOKEN = env.SERVICE_API_TOKEN;

function api(path: string, token: string | null = TOKEN) {
  return exports.default.fetch(`${ORIGIN}/api/v1${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
}

async function seedRecords(userId: string, count: number, kind = "daily_activity", source = "oura") {
  if (kind === "daily_activity") await seedConnection(userId, source as "oura", "connected");
  const base = Date.UTC(2026, 10, 1);
  const records = Array.from({ length: count }, (_, i) => ({
    kind,
    externalId: `${userId}-${kind}-${i}`,
    startTime: base + Math.floor(i / 2) * 3_600_000,
    endTime: null,
    data: { date: "2026-11-01", step_count: { value: 1000 + i, unit: "steps" } },
    raw: null,
  })) as NormalizedRecord[];
  await seedStoredRecords(userId, source as "oura", records);
}

describe("GET /api/v1/users/:userId/records", () => {
  it("requires the service token", async () => {
    expect((await api("/users/u/records", null)).status).toBe(401);
    expect((await api("/users/u/records", "wrong-token")).status).toBe(401);
    const body = await (await api("/users/u/records", "wrong-token")).json();
    expect(JSON.stringify(body)).not.toContain(TOKEN);
  });

  it("pages through every record once, in order, with a cursor that survives equal start times", async () => {
    const userId = `usr_api_${crypto.randomUUID().slice(0, 8)}`;
    await seedRecords(userId, 25);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await api(`/users/${userId}/records?limit=10${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        records: { external_id: string; start_time: string; data: unknown; source: string }[];
        next_cursor: string | null;
      };
      seen.push(...body.records.map((r) => r.external_id));
      cursor = body.next_cursor;
      pages++;
      expect(body.records[0]?.data).toMatchObject({ step_count: { unit: "steps" } });
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
    expect(seen).toHaveLength(25);
  });

  it("filters by kind and time, and only ever returns the named person's records", async () => {
    const userId = `usr_api_${crypto.randomUUID().slice(0, 8)}`;
    const other = `usr_api_${crypto.randomUUID().slice(0, 8)}`;
    await seedRecords(userId, 6, "daily_activity");
    await seedRecords(userId, 4, "daily_sleep");
    await seedRecords(other, 5, "daily_activity");
    const sleep = (await (await api(`/users/${userId}/records?kind=daily_sleep`)).json()) as { records: { kind: string }[] };
    expect(sleep.records.map((r) => r.kind)).toEqual(["daily_sleep", "daily_sleep", "daily_sleep", "daily_sleep"]);
    const windowed = (await (await api(`/users/${userId}/records?kind=daily_activity&from=2026-11-01T01:00:00Z&to=2026-11-01T02:00:00Z`)).json()) as {
      records: { start_time: string }[];
    };
    expect(windowed.records.map((r) => r.start_time)).toEqual(["2026-11-01T01:00:00.000Z", "2026-11-01T01:00:00.000Z"]);
    const all = (await (await api(`/users/${userId}/records?limit=1000`)).json()) as { records: { id: string; external_id: string }[] };
    expect(all.records).toHaveLength(10);
    expect(all.records.every((r) => r.external_id.startsWith(userId) && /^rec_\d+$/.test(r.id))).toBe(true);
  });

  it("answers a bad query with 400 and says what is wrong", async () => {
    for (const [query, path] of [
      ["kind=toasters", "kind"],
      ["from=yesterday", "from"],
      ["limit=0", "limit"],
      ["limit=5000", "limit"],
      ["from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "to"],
      ["cursor=not-ours", "cursor"],
    ] as const) {
      const response = await api(`/users/u/records?${query}`);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: string; issues: { path: string }[] };
      expect(
        body.issues.map((i) => i.path),
        query,
      ).toContain(path);
    }
  });
});
