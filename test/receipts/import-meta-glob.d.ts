// Vite's `import.meta.glob` (https://vite.dev/guide/features#glob-import), which vitest resolves at transform time:
// the corpus' files arrive in the Worker runtime as strings, with no filesystem there.
interface ImportMeta {
  glob<T = unknown>(pattern: string, options: { query?: string; import?: string; eager: true }): Record<string, T>;
}
