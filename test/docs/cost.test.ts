import { readFileSync } from "node:fs";
import { topology } from "@m3bc/topology";
import { describe, expect, test } from "vitest";
import {
  costPerMillionOrders,
  costTable,
  type MeasuredUsage,
  TABLE_END,
  TABLE_START,
} from "../../bench/cost-model";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("docs/cost.md", () => {
  // The page shows the model computed from the last `pnpm bench cost`: a change of prices, assumptions, memory
  // sizes or measured usage that is not carried to the page (by re-running the benchmark) fails here.
  test("shows the variable cost computed from the measured usage, the prices and the topology's memory", () => {
    const result = JSON.parse(read("bench/results/cost.json")) as {
      metrics: Record<string, number>;
      inputs: { usage: MeasuredUsage };
    };
    const memory = (fn: string) => topology.functions[fn as keyof typeof topology.functions].memoryMb;
    const cost = costPerMillionOrders(result.inputs.usage, memory);
    const doc = read("docs/cost.md");
    const table = doc.slice(doc.indexOf(TABLE_START) + TABLE_START.length, doc.indexOf(TABLE_END)).trim();
    expect(table).toBe(costTable(cost));
    expect(result.metrics.variable_cost_per_million_orders_usd).toBe(cost.total);
    expect(doc).toContain(`**$${cost.total.toFixed(2)} per million orders**`);
  });
});
