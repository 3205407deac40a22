import { type Benchmark, meets, writeResult } from "./lib";

// Each benchmark is a module exporting `benchmark`; `pnpm bench <name>` runs one, no argument runs all.
const available: Record<string, () => Promise<{ benchmark: Benchmark }>> = {
  inventory: () => import("./inventory"),
  orders: () => import("./orders"),
  functions: () => import("./functions"),
  customers: () => import("./customers"),
  finance: () => import("./finance"),
  returns: () => import("./returns"),
  // After orders: the cost model takes the connector's CPU per order from bench/results/orders.json.
  cost: () => import("./cost"),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in available));
if (unknown.length) {
  console.error(
    `Unknown benchmark(s): ${unknown.join(", ")}. Available: ${Object.keys(available).join(", ")}`,
  );
  process.exit(2);
}

for (const name of wanted.length ? wanted : Object.keys(available)) {
  const { benchmark } = await available[name]!();
  console.log(`\n▶ ${benchmark.name}`);
  const result = await benchmark.run();
  const file = writeResult(result);
  for (const [metric, value] of Object.entries(result.metrics)) {
    const goal = result.goals[metric];
    const verdict = goal === undefined ? "" : meets(value, goal) ? `  ✓ goal ${goal}` : `  ✗ goal ${goal}`;
    console.log(`  ${metric.padEnd(28)} ${String(value).padStart(12)}${verdict}`);
  }
  console.log(`  → ${file}`);
}
