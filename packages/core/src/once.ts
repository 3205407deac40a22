/**
 * `build` run on the first call, its result returned from then on. For zod schemas a module would otherwise build
 * at import: zod 4 builds each schema object with its methods, which is most of a function's cold start when a
 * bundle holds hundreds of schemas its invocation never uses (docs/benchmarks.md, "Function bundles and cold load").
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
