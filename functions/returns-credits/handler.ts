import { dynamoFinanceLedger, dynamoLedger, loadConfig, m3Client, scheduleHandler } from "@m3bc/aws";
import { findCredits } from "@m3bc/flows";

export const handler = scheduleHandler("returns-credits", async () => {
  const { summary, credits } = await findCredits({
    config: loadConfig(),
    orders: (from, to) => dynamoFinanceLedger.listByDay(from, to),
    ledger: dynamoLedger,
    m3: await m3Client(),
  });
  return { summary, send: { "order-deliveries": credits } };
});
