import type { Metrics } from "@aws-lambda-powertools/metrics";
import { env } from "@m3bc/topology";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { publishReconciliation } from "../src/finance";
import {
  countingFetch,
  createMetrics,
  flushApiCounts,
  METRICS_NAMESPACE,
  MetricUnit,
  metricDimensions,
  metricNames,
} from "../src/observability";

interface EmfRecord {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
  [key: string]: unknown;
}

/** The EMF records (one JSON line each) Powertools prints while `run` runs. */
function emitted(run: () => void): EmfRecord[] {
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    run();
  } finally {
    process.stdout.write = write;
  }
  return lines
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));
}

/** The dimension names of a record's one metric directive, sorted (CloudWatch matches the set). */
const dimensionsOf = (record: EmfRecord) => {
  const [directive] = record._aws.CloudWatchMetrics;
  expect(directive?.Namespace).toBe(METRICS_NAMESPACE);
  expect(directive?.Dimensions).toHaveLength(1);
  return [...directive!.Dimensions[0]!].sort();
};

/** What infra/ alarms on: the connector's dimensions plus the extra one of some metrics. */
const alarmed = (...extra: string[]) => [...Object.keys(metricDimensions("s", "f", "x")), ...extra].sort();

describe("connector metrics carry the stage (every stage's alarms read their own)", () => {
  const saved = { stage: process.env[env.stage], disabled: process.env.POWERTOOLS_METRICS_DISABLED };
  beforeEach(() => {
    process.env[env.stage] = "prod";
    process.env.POWERTOOLS_METRICS_DISABLED = "false";
  });
  afterEach(() => {
    for (const [name, value] of [
      [env.stage, saved.stage],
      ["POWERTOOLS_METRICS_DISABLED", saved.disabled],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  const publish = (metrics: Metrics) => metrics.publishStoredMetrics();

  test("a message metric: dimensions service, flow and stage, with the function's stage", () => {
    const metrics = createMetrics("orders-transform", "orders");
    const [record, ...others] = emitted(() => {
      metrics.addMetric(metricNames.done, MetricUnit.Count, 2);
      publish(metrics);
    });
    expect(others).toEqual([]);
    expect(dimensionsOf(record!)).toEqual(alarmed());
    expect(record).toMatchObject({
      service: "orders-transform",
      flow: "orders",
      stage: "prod",
      [metricNames.done]: 2,
    });
  });

  test("API calls per target and the reconciliation's amount per currency keep the stage beside their own dimension", async () => {
    const metrics = createMetrics("finance-reconcile", "finance");
    // A data: URL answers without a server: one call counted against M3.
    await (await countingFetch("m3")("data:,ok")).text();
    const records = emitted(() => {
      flushApiCounts(metrics);
      publishReconciliation(metrics, { mismatches: 1, stale: 0, mismatchAmount: { EUR: "12.50" } });
      publish(metrics);
    });
    const calls = records.find((r) => metricNames.apiCalls in r)!;
    expect(dimensionsOf(calls)).toEqual(alarmed("target"));
    expect(calls).toMatchObject({ stage: "prod", flow: "finance", target: "m3", [metricNames.apiCalls]: 1 });
    const amount = records.find((r) => metricNames.reconcileMismatchAmount in r)!;
    expect(dimensionsOf(amount)).toEqual(alarmed("currency"));
    expect(amount).toMatchObject({
      stage: "prod",
      currency: "EUR",
      [metricNames.reconcileMismatchAmount]: 12.5,
    });
    const stale = records.find((r) => metricNames.reconcileStaleMismatches in r)!;
    expect(dimensionsOf(stale)).toEqual(alarmed());
    expect(stale).toMatchObject({ stage: "prod", service: "finance-reconcile" });
  });

  test("a function without its stage refuses to start, naming the variable", () => {
    delete process.env[env.stage];
    expect(() => createMetrics("orders-transform", "orders")).toThrow(
      new RegExp(`Environment variable ${env.stage} is not set`),
    );
  });
});
