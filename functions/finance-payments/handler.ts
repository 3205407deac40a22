import { bigCommerceClient, dynamoFinanceLedger, loadConfig, sqsHandler } from "@m3bc/aws";
import { readFinanceEvent, recordPayments } from "@m3bc/flows";

export const handler = sqsHandler("finance-payments", async (message) =>
  recordPayments(readFinanceEvent(message), {
    config: loadConfig(),
    ledger: dynamoFinanceLedger,
    bigcommerce: await bigCommerceClient(),
  }),
);
