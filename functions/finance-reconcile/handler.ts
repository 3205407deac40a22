import {
  bucketStore,
  dynamoFinanceLedger,
  loadConfig,
  m3Client,
  publishReconciliation,
  scheduleHandler,
} from "@m3bc/aws";
import { scheduledReconciliation } from "@m3bc/flows";

export const handler = scheduleHandler("finance-reconcile", async (event, { metrics }) => {
  const { report, summary } = await scheduledReconciliation({
    config: loadConfig(),
    m3: await m3Client(),
    now: new Date(event.time),
    orders: (from, to) => dynamoFinanceLedger.listByDay(from, to),
    store: bucketStore("reports"),
  });
  publishReconciliation(metrics, report);
  return { summary };
});
