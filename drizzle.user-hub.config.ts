import { defineConfig } from "drizzle-kit";

// The person's UserHub (Durable Object SQLite): the record store, the hub's own tables and each live stream's, in
// one migration folder. drizzle-kit writes the SQL and a migrations.js that imports it; UserHub applies it on
// start (durable-objects/records/migrate.ts).
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: [
    "./durable-objects/records/schema.ts",
    "./durable-objects/token-vault-schema.ts",
    "./durable-objects/hub-schema.ts",
    "./src/providers/dexcom/live-schema.ts",
  ],
  out: "./durable-objects/records/migrations",
  migrations: { prefix: "index" },
});
