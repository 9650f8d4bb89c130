// Reads and writes the running `wrangler dev`'s local D1 (the same SQLite file, through wrangler's own CLI).
// The CLI opens the file in its own workerd, so while the Worker is writing it can find the database locked
// (SQLITE_BUSY): such a statement is tried again after a pause.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const root = join(import.meta.dirname, "..", "..");
const wranglerBin = join(root, "node_modules", ".bin", "wrangler");
const run = promisify(execFile);
const ATTEMPTS = 20;

async function execute(statePath: string, sql: string, json: boolean): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { stdout } = await run(
        wranglerBin,
        ["d1", "execute", "DB", "--local", "--env", "development", "--persist-to", statePath, ...(json ? ["--json"] : []), "--command", sql],
        {
          cwd: root,
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
        },
      );
      return stdout;
    } catch (error) {
      const text = `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`;
      if (attempt >= ATTEMPTS || !/SQLITE_BUSY|database is locked/.test(text)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/** Runs one statement and returns its rows. */
export async function queryLocalD1<Row>(statePath: string, sql: string): Promise<Row[]> {
  const out = JSON.parse(await execute(statePath, sql, true)) as { results: Row[]; success: boolean }[];
  const first = out[0];
  if (!first?.success) throw new Error(`D1 statement failed: ${sql}`);
  return first.results;
}

export async function executeLocalD1(statePath: string, sql: string): Promise<void> {
  await execute(statePath, sql, false);
}

/** A string literal for SQL built here from values this benchmark made (never from a response). */
export const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;
