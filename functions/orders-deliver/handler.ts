import {
  bigCommerceClient,
  dynamoLedger,
  loadConfig,
  m3Client,
  perRuntime,
  readBigCommerceCustomers,
  recordFinanceRefund,
  refundMetafield,
  sqsHandler,
} from "@m3bc/aws";
import { onceSuccessful, parsePayload } from "@m3bc/core";
import {
  CANCEL_KIND,
  CancelPayload,
  CREDIT_KIND,
  CreditPayload,
  cancelOrder,
  checkWarehousesInM3,
  creditToBigCommerce,
  DeliveryPayload,
  deliverOrder,
  EDIT_KIND,
  EditPayload,
  editOrder,
  orderSent,
  orderSentEnvelope,
  REFUND_KIND,
  RefundPayload,
  redeliveryOf,
  refundToM3,
} from "@m3bc/flows";

// Once per container: every warehouse the routing config names must exist in M3.
const warehousesChecked = perRuntime(() =>
  onceSuccessful(async () => checkWarehousesInM3(loadConfig(), await m3Client())),
);

export const handler = sqsHandler(
  "orders-deliver",
  async (message, { leaseUntil }) => {
    const config = loadConfig();
    if (message.kind === CANCEL_KIND)
      return cancelOrder(parsePayload(CancelPayload, message.payload, "order cancel"), {
        config,
        ledger: dynamoLedger,
        m3: await m3Client(),
      });
    if (message.kind === EDIT_KIND)
      return editOrder(parsePayload(EditPayload, message.payload, "order edit"), {
        config,
        ledger: dynamoLedger,
        m3: await m3Client(),
      });
    if (message.kind === REFUND_KIND)
      return refundToM3(parsePayload(RefundPayload, message.payload, "order refund"), {
        config,
        ledger: dynamoLedger,
        m3: await m3Client(),
        leaseUntil,
        markRefund: refundMetafield(await bigCommerceClient(), config),
        recordForFinance: recordFinanceRefund,
      });
    if (message.kind === CREDIT_KIND)
      return creditToBigCommerce(parsePayload(CreditPayload, message.payload, "order credit"), message.key, {
        ledger: dynamoLedger,
        bigcommerce: await bigCommerceClient(),
        leaseUntil,
      });
    await warehousesChecked()();
    const bigcommerce = await bigCommerceClient();
    const payload = parsePayload(DeliveryPayload, message.payload, "order delivery");
    const { guard, ...result } = await deliverOrder(payload, {
      config,
      ledger: dynamoLedger,
      m3: await m3Client(),
      leaseUntil,
      // A shopper M3 does not know yet is created from BigCommerce's record (group, addresses), as the customer
      // sync would create them.
      customers: { fetch: async (id) => (await readBigCommerceCustomers(bigcommerce, [id])).get(id) },
      bigcommerce: {
        async markOrder(orderId, update) {
          await bigcommerce.updateOrder(orderId, {
            ...(update.statusId !== undefined ? { status_id: update.statusId } : {}),
            ...(update.staffNotes !== undefined ? { staff_notes: update.staffNotes } : {}),
          });
        },
      },
    });
    // What the guards decided goes into the message's log line: rules, scores and inputs, nothing personal.
    const log = guard ? { log: { guard } } : {};
    // The order is in M3 (now or before, a redelivery sends it again): the finance flow records its payments.
    const finance = config.finance.enabled && result.sent;
    return finance
      ? {
          ...result,
          ...log,
          send: { "finance-events": [orderSentEnvelope(message, orderSent(payload.order, finance))] },
        }
      : { ...result, ...log };
  },
  // A parked order keeps no customer details: its replay goes through transform, which fetches the order again.
  // A held order's replay carries its release.
  {
    parkAs: (message, error) => {
      // Cancels, refunds, edits and credits carry no customer details: they are parked as they are, and replayed
      // as such.
      if ([CANCEL_KIND, REFUND_KIND, EDIT_KIND, CREDIT_KIND].includes(message.kind)) return undefined;
      const redelivery = redeliveryOf(message, error);
      return redelivery && { queue: "order-events", message: redelivery };
    },
  },
);
