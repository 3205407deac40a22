import { bigCommerceClient, dynamoLedger, loadConfig, sqsHandler } from "@m3bc/aws";
import { parsePayload } from "@m3bc/core";
import { DeliveryNotice, deliverShipment } from "@m3bc/flows";

export const handler = sqsHandler("shipments-deliver", async (message) =>
  deliverShipment(parsePayload(DeliveryNotice, message.payload, "delivery notice"), {
    config: loadConfig(),
    ledger: dynamoLedger,
    bigcommerce: await bigCommerceClient(),
  }),
);
