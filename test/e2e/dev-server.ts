import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const root = join(import.meta.dirname, "..", "..");
const wranglerBin = join(root, "node_modules", ".bin", "wrangler");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`wrangler dev did not become ready:\n${log()}`);
}

export interface DevServerOptions {
  /** More `NAME=value` lines for the env file, e.g. a provider's webhook secret that only a benchmark needs. */
  extraEnv?: readonly string[];
}

export interface DevServer {
  baseUrl: string;
  statePath: string;
  /** Everything `wrangler dev` has printed so far (stdout and stderr), including the Worker's own log lines. */
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `wrangler dev` on a free port with a throwaway state directory and test-only secrets. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const state = mkdtempSync(join(tmpdir(), "wellness-e2e-"));
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const envFile = join(state, "e2e.env");
  writeFileSync(
    envFile,
    [
      "SESSION_SECRET=e2e-session-secret-not-a-real-secret",
      "TOKEN_ENCRYPTION_KEY=e2e1:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
      "SERVICE_API_TOKEN=e2e-service-token",
      "OURA_WEBHOOK_VERIFICATION_TOKEN=e2e-oura-verification",
      ...(options.extraEnv ?? []),
    ].join("\n"),
  );
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  for (const database of ["DB", "DEV_DB"])
    execFileSync(wranglerBin, ["d1", "migrations", "apply", database, "--local", "--env", "development", "--persist-to", state], {
      cwd: root,
      env,
      stdio: "pipe",
    });
  let output = "";
  const child = spawn(
    wranglerBin,
    [
      "dev",
      "--env",
      "development",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      state,
      "--env-file",
      envFile,
      "--show-interactive-dev-session=false",
    ],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  await waitForReady(`${baseUrl}/healthz`, child, () => output);
  return {
    baseUrl,
    statePath: state,
    output: () => output,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
      rmSync(state, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  const server = await startDevServer();
  project.provide("baseUrl", server.baseUrl);
  return server.stop;
}
