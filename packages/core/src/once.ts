import * as z from "zod";

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

/**
 * A schema built on first use (`z.lazy` of `once`): for the schemas a bundle holds but an invocation seldom or never
 * parses, e.g. the BigCommerce client's sixty (13 – 26 ms of every cold start that imports it, docs/benchmarks.md)
 * or a message kind most invocations never see. Compose one with `.unwrap()` (e.g. `.unwrap().extend`).
 */
export const onFirstUse = <T extends z.ZodType>(build: () => T) => z.lazy(once(build));
