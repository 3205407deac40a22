import { bigCommerceClient, dynamoFinanceLedger, loadConfig, m3Client, scheduleHandler } from "@m3bc/aws";
import { pollFinance } from "@m3bc/flows";

export const handler = scheduleHandler("finance-poll", async () => {
  const { summary, postings } = await pollFinance({
    config: loadConfig(),
    ledger: dynamoFinanceLedger,
    m3: await m3Client(),
    bigcommerce: await bigCommerceClient(),
  });
  return { summary, send: { "finance-postings": postings } };
});
