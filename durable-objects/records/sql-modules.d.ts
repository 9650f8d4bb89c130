// drizzle-kit's migrations.js imports each migration's .sql file as text (wrangler.toml's Text rule; the tests'
// Vite plugin in vitest.config.ts).
declare module "*.sql" {
  const text: string;
  export default text;
}
