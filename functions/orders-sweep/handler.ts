import { MetricUnit, metricNames, ordersSweepDeps, scheduleHandler } from "@m3bc/aws";
import { sweepOrders } from "@m3bc/flows";

export const handler = scheduleHandler("orders-sweep", async (_event, { metrics }) => {
  const result = await sweepOrders(await ordersSweepDeps());
  metrics.addMetric(metricNames.ordersSwept, MetricUnit.Count, result.missed);
  metrics.addMetric(
    metricNames.webhooksRepaired,
    MetricUnit.Count,
    result.reactivated + result.unhooked.length,
  );
  return { summary: result.summary };
});
