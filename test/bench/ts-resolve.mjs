// Lets the benchmark run the app's own TypeScript in Node: the app's imports omit the `.ts` extension (the
// Workers bundler resolves them), which Node's ESM loader does not, so this hook tries `<specifier>.ts`.
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    const fromApp = context.parentURL?.endsWith(".ts") && !context.parentURL.includes("/node_modules/");
    if (fromApp && (specifier.startsWith("./") || specifier.startsWith("../")) && !/\.[cm]?[jt]sx?$/.test(specifier)) {
      try {
        return nextResolve(`${specifier}.ts`, context);
      } catch {
        return nextResolve(`${specifier}.tsx`, context);
      }
    }
    return nextResolve(specifier, context);
  },
});
