import type * as z from "zod";
import { PersistentError } from "./errors";

/** Reads a message payload with its schema; a message that does not fit is parked, not retried. */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`)
    .join("; ");
  throw new PersistentError("MESSAGE_INVALID", `The ${what} message payload is invalid: ${problems}`);
}

/** Memoizes an async initializer's success only: a failure (say, M3 briefly down at start-up) is retried next time. */
export function onceSuccessful<T>(init: () => Promise<T>): () => Promise<T> {
  let done: Promise<T> | undefined;
  return () => {
    done ??= init().catch((error) => {
      done = undefined;
      throw error;
    });
    return done;
  };
}
