import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { database } from "../src/db/client";
import { D1Meter } from "../src/db/metered";
import { users } from "../src/db/schema";

const person = (id: string) => ({ id, email: `${id}@example.test`, displayName: "Metered" });

describe("D1Meter", () => {
  it("counts statements and the rows D1 reports writing and reading, through Drizzle's batch, insert and select", async () => {
    const meter = new D1Meter(env.DB);
    const db = database(meter.database);
    const ids = [crypto.randomUUID(), crypto.randomUUID()].map((id) => `usr_meter_${id.replaceAll("-", "")}`);
    await db.batch([db.insert(users).values(person(ids[0]!)), db.insert(users).values(person(ids[1]!))]);
    expect(meter.usage.statements).toBe(2);
    expect(meter.usage.rowsWritten).toBeGreaterThanOrEqual(2);

    const written = meter.usage.rowsWritten;
    // Drizzle reads through `raw()`, which the meter answers from `all()` so the read is counted.
    const [row] = await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, ids[0]!));
    expect(row).toEqual({ id: ids[0], email: `${ids[0]}@example.test` });
    expect(meter.usage.statements).toBe(3);
    expect(meter.usage.rowsRead).toBeGreaterThanOrEqual(1);
    expect(meter.usage.rowsWritten).toBe(written);
  });

  it("answers first() like the real binding: the row, one column, or null", async () => {
    const meter = new D1Meter(env.DB);
    const id = `usr_meter_${crypto.randomUUID().replaceAll("-", "")}`;
    await meter.database
      .prepare("INSERT INTO users (id, email, display_name, created_at) VALUES (?, ?, ?, ?)")
      .bind(id, `${id}@example.test`, "Metered", Date.now())
      .run();
    const statement = meter.database.prepare("SELECT id, email FROM users WHERE id = ?");
    expect(await statement.bind(id).first()).toEqual({ id, email: `${id}@example.test` });
    expect(await statement.bind(id).first("email")).toBe(`${id}@example.test`);
    expect(await statement.bind("usr_nobody").first()).toBeNull();
    expect(meter.usage.statements).toBe(4);
    expect(meter.usage.rowsWritten).toBeGreaterThanOrEqual(1);
  });
});
