import { PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  dynamo,
  dynamoReservations,
  dynamoSnapshot,
  dynamoSyncState,
  dynamoUnknownSkus,
  newestSyncStamp,
  OPEN,
  tableName,
} from "@m3bc/aws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startEmulatedResources } from "../support/emulated-resources";

let env: Awaited<ReturnType<typeof startEmulatedResources>>;
beforeAll(async () => {
  env = await startEmulatedResources();
});
afterAll(async () => env?.stack.stop());

describe("snapshot buckets on DynamoDB", () => {
  test("more buckets than one batch read or write holds round-trip; another bucket count is another snapshot", async () => {
    const store = dynamoSnapshot("test", 200);
    const texts = new Map(Array.from({ length: 150 }, (_, i) => [i, `1\tSKU${i}\t${i}\t${i}\t100\t1`]));
    await store.save(texts);
    const indices = Array.from({ length: 200 }, (_, i) => i);
    expect(await store.load(indices)).toEqual(texts);
    expect((await dynamoSnapshot("test", 201).load(indices)).size).toBe(0);
  });
});

describe("sync cursor and lease", () => {
  test("one run at a time; the cursor, pending mark and newest stamp move as the poller writes them", async () => {
    const state = dynamoSyncState<{ after?: string; lastStamp?: number; pending?: number }>("adapter-test");
    expect(await state.begin("run-1", 60_000)).toEqual({});
    expect(await state.begin("run-2", 60_000)).toBe("busy");
    await state.markPending(5);
    expect(await newestSyncStamp("adapter-test")).toBe(5);
    await state.commit("run-1", { after: "key", lastStamp: 5 });
    expect(await newestSyncStamp("adapter-test")).toBe(5);

    expect(await state.begin("run-2", 60_000)).toEqual({ after: "key", lastStamp: 5 });
    await state.markPending(9);
    await state.release("run-2");
    // A run that died after its pending mark: the next one is told, and deliverers see the newer stamp.
    expect(await state.begin("run-3", 1)).toEqual({ after: "key", lastStamp: 5, pending: 9 });
    expect(await newestSyncStamp("adapter-test")).toBe(9);
    // Its lease expires without a release: another run may then take over.
    await expect.poll(() => state.begin("run-4", 60_000), { timeout: 60_000 }).not.toBe("busy");
  });
});

describe("unknown SKUs", () => {
  test("concurrent reports all land; 0 marks a SKU created since; forget removes it", async () => {
    const skus = Array.from({ length: 40 }, (_, i) => `MISSING-${i}`);
    await Promise.all([
      dynamoUnknownSkus.record(skus.slice(0, 20), 1000),
      dynamoUnknownSkus.record(skus.slice(20), 2000),
    ]);
    const recorded = await dynamoUnknownSkus.load();
    expect([...recorded.keys()].sort()).toEqual([...skus].sort());
    await dynamoUnknownSkus.record(["MISSING-3"], 0);
    expect((await dynamoUnknownSkus.load()).get("MISSING-3")).toBe(0);
    await dynamoUnknownSkus.forget(skus);
    expect((await dynamoUnknownSkus.load()).size).toBe(0);
  });
});

describe("open-order reservations", () => {
  test("lists the index; releases confirmed orders only", async () => {
    const put = (pk: string, fields: Record<string, unknown>) =>
      dynamo().send(
        new PutCommand({
          TableName: tableName("ledger"),
          Item: { pk, open: OPEN, openedAt: "2026-03-02T10:00:00.000Z", reservation: { LAMP: 2 }, ...fields },
        }),
      );
    await put("order:s:1", { confirmedAt: "2026-03-02T10:00:05.000Z" });
    await put("order:s:2", {});
    const open = await dynamoReservations.open();
    expect(open.map((o) => o.key).sort()).toEqual(["order:s:1", "order:s:2"]);
    expect(open.find((o) => o.key === "order:s:1")).toMatchObject({
      reservation: { LAMP: 2 },
      confirmedAt: "2026-03-02T10:00:05.000Z",
    });

    await dynamoReservations.release(["order:s:1", "order:s:2"]);
    expect((await dynamoReservations.open()).map((o) => o.key)).toEqual(["order:s:2"]);
  });
});
