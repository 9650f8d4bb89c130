import { defineConfig } from "drizzle-kit";

// The person's record store inside their UserHub (Durable Object SQLite). drizzle-kit writes the SQL and a
// migrations.js that imports it; UserHub applies it on start (durable-objects/records/migrate.ts).
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: ["./durable-objects/records/schema.ts", "./durable-objects/token-vault-schema.ts"],
  out: "./durable-objects/records/migrations",
  migrations: { prefix: "index" },
});
