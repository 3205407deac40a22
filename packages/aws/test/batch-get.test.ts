import type { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, test } from "vitest";
import { batchGetAll } from "../src/batch-get";

/** A table that answers at most 100 keys a call, and leaves the last key of each first call unprocessed. */
function table(existing: Set<string>) {
  const calls: string[][] = [];
  const client = {
    async send(command: BatchGetCommand) {
      const keys = (command.input.RequestItems!.t!.Keys as Array<{ pk: string }>).map((k) => k.pk);
      if (keys.length > 100) throw new Error("Member must have length less than or equal to 100");
      calls.push(keys);
      const unprocessed = calls.length % 2 === 1 && keys.length > 1 ? keys.slice(-1) : [];
      return {
        Responses: {
          t: keys.filter((k) => existing.has(k) && !unprocessed.includes(k)).map((pk) => ({ pk })),
        },
        UnprocessedKeys: unprocessed.length ? { t: { Keys: unprocessed.map((pk) => ({ pk })) } } : {},
      };
    },
  };
  return { client: client as never, calls };
}

describe("batchGetAll", () => {
  test("asks at most 100 keys a call, asks unprocessed keys again, leaves missing items out", async () => {
    const keys = Array.from({ length: 230 }, (_, i) => `k${i}`);
    const { client, calls } = table(new Set(keys.filter((_, i) => i % 3 !== 0)));
    const items = await batchGetAll(client, "t", [...keys, "k1"], { what: "test" });
    expect(calls.every((c) => c.length <= 100)).toBe(true);
    expect(calls.map((c) => c.length)).toEqual([100, 1, 100, 1, 30, 1]);
    expect(items.map((i) => i.pk).sort()).toEqual(keys.filter((_, i) => i % 3 !== 0).sort());
  });
});
