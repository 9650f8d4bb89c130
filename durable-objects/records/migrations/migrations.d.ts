// Types for the migrations.js drizzle-kit generates next to this file (it is regenerated; this file is not).
declare const bundle: {
  journal: { entries: { idx: number; when: number; tag: string; breakpoints: boolean }[] };
  migrations: Record<string, string>;
};
export default bundle;
