import type { ParseArgsOptionsConfig } from "node:util";
import { DeleteMessageCommand } from "@aws-sdk/client-sqs";
import { DeleteCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
import { customerNumberKey } from "@m3bc/core";
import { customerKeyByEmail, customerKeyById, emailRecordKey } from "@m3bc/flows";
import { CliError, type CliIo, type CommandSpec, loadConnectorFiles, openTarget, runCommand } from "../cli";
import { type Failure, parkedFailures, type ReplayTarget, visitDlq } from "./replay";

/** Whose data to erase: a registered customer by BigCommerce id, a guest (or anyone) by e-mail, and their orders. */
export interface ErasureRequest {
  /** The store hash (ledger keys carry it). */
  store: string;
  customerIds: number[];
  emails: string[];
  /** BigCommerce order ids whose parked or dead-lettered messages go too. */
  orderIds: number[];
}

export interface ErasureResult {
  /** Ledger links removed, with the M3 customer each pointed at (that record is M3's to erase). */
  links: Array<{ key: string; customerNumber?: string }>;
  parked: Failure[];
  dlq: Failure[];
}

/** Properties that hold a BigCommerce customer id in the connector's messages (canonical and BigCommerce's own). */
const CUSTOMER_ID_FIELDS = new Set(["bigcommerceId", "customer_id", "customerId"]);

/**
 * Erases what the connector itself holds about one customer: the ledger links to their M3 customer, and every parked
 * record and DLQ message that carries their e-mail or customer id or belongs to one of the given orders. Messages
 * still on a queue are not touched (taking them would stop their processing): they are handled within the queue's
 * retention, and anything parked meanwhile is found by running this again. With `dryRun` nothing is deleted.
 */
export async function eraseCustomer(
  target: ReplayTarget,
  request: ErasureRequest,
  { dryRun = false } = {},
): Promise<ErasureResult> {
  const { ledger: ledgerTable, parked: parkedTable } = target.tables;
  if (!ledgerTable || !parkedTable) throw new Error(`${target.description} has no ledger or parked table`);
  const concerns = matcher(request);
  const result: ErasureResult = { links: [], parked: [], dlq: [] };

  const linkKeys = [
    ...request.customerIds.map((id) => customerKeyById(request.store, id)),
    ...request.emails.map((email) => customerKeyByEmail(request.store, email)),
    // The order guards' velocity record of the e-mail (order ids and times under a hash of it).
    ...request.emails.map((email) => emailRecordKey(request.store, email)),
  ];
  for (const key of linkKeys) {
    const Key = { pk: key };
    const link = dryRun
      ? (await target.dynamo.send(new GetCommand({ TableName: ledgerTable, Key }))).Item
      : (
          await target.dynamo.send(
            new DeleteCommand({ TableName: ledgerTable, Key, ReturnValues: "ALL_OLD" }),
          )
        ).Attributes;
    if (link) result.links.push({ key, customerNumber: link.customerNumber });
    // The customer sync's reverse entry (M3 number → BigCommerce id) goes with the link it belongs to.
    if (link?.customerNumber && link.bigcommerceId !== undefined && !dryRun)
      await target.dynamo
        .send(
          new DeleteCommand({
            TableName: ledgerTable,
            Key: { pk: customerNumberKey(request.store, link.customerNumber) },
            ConditionExpression: "bigcommerceId = :id",
            ExpressionAttributeValues: { ":id": link.bigcommerceId },
          }),
        )
        .catch((error: Error) => {
          if (error.name !== "ConditionalCheckFailedException") throw error;
        });
  }

  for (const failure of await parkedFailures(target)) {
    if (!concerns(failure)) continue;
    if (!dryRun)
      await target.dynamo.send(new DeleteCommand({ TableName: parkedTable, Key: { id: failure.id } }));
    result.parked.push(failure);
  }

  for (const [queue, endpoints] of Object.entries(target.queues)) {
    await visitDlq(target, queue, async (failure, message) => {
      if (!concerns(failure)) return "keep";
      result.dlq.push(failure);
      if (dryRun) return "keep";
      await target.sqs.send(
        new DeleteMessageCommand({ QueueUrl: endpoints.dlqUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      return "deleted";
    });
  }
  return result;
}

/** Whether a parked record or DLQ message is about the customer of the request. */
function matcher(request: ErasureRequest) {
  const emails = request.emails.map((e) => e.trim().toLowerCase()).filter(Boolean);
  const ids = new Set(request.customerIds);
  const orderKeys = new Set(request.orderIds.map((id) => `order:${request.store}:${id}`));
  const linkKeys = new Set(request.customerIds.map((id) => customerKeyById(request.store, id)));
  const about = (value: unknown, field?: string): boolean => {
    if (typeof value === "string") return emails.some((email) => value.toLowerCase().includes(email));
    if (typeof value === "number")
      return field !== undefined && CUSTOMER_ID_FIELDS.has(field) && ids.has(value);
    if (typeof value !== "object" || value === null) return false;
    return Object.entries(value).some(([k, v]) => about(v, Array.isArray(value) ? field : k));
  };
  return (failure: Failure) => {
    if (orderKeys.has(failure.key) || linkKeys.has(failure.key)) return true;
    let body: unknown = failure.body;
    try {
      body = JSON.parse(failure.body);
    } catch {
      // Not JSON: searched as text.
    }
    return about(body);
  };
}

const options = {
  "customer-id": { type: "string", multiple: true, default: [] },
  email: { type: "string", multiple: true, default: [] },
  order: { type: "string", multiple: true, default: [] },
  "dry-run": { type: "boolean", default: false },
} satisfies ParseArgsOptionsConfig;

export const eraseCommand: CommandSpec<typeof options> = {
  name: "erase-customer",
  usage: `pnpm erase-customer (--local | --stage <stage>) (--customer-id <id> | --email <e-mail>)... [--order <id>]... [--dry-run]

  Erases what the connector holds about one customer: the ledger links to their M3 customer, and the parked
  records and DLQ messages that carry their e-mail or BigCommerce customer id or belong to one of the orders.
  The config (for the store hash) is the local stack's, config/<stage>.json, or --config.`,
  optionsHelp: `  --customer-id ID   the BigCommerce customer id (a registered customer's link is kept by id)
  --email E-MAIL     the customer's e-mail (a guest's link is kept by a hash of it; messages are searched for it)
  --order ID         a BigCommerce order id of theirs: its parked or dead-lettered messages go too
  --dry-run          shows what would be erased, changes nothing`,
  options,
  target: "required",
  files: true,
  async run({ values, positionals, target: selector }, io) {
    if (positionals.length) throw new CliError(`Unexpected arguments: ${positionals.join(" ")}`);
    if (!values["customer-id"].length && !values.email.length)
      throw new CliError("Name the customer: --customer-id <BigCommerce id> and/or --email <e-mail>");
    for (const id of [...values["customer-id"], ...values.order])
      if (!/^[1-9]\d*$/.test(id)) throw new CliError(`"${id}": a BigCommerce id is a positive whole number`);
    for (const email of values.email)
      if (!email.includes("@")) throw new CliError(`"${email}" is not an e-mail address`);
    // Only the config is needed (the store hash): no secret is read.
    const { config } = await loadConnectorFiles(values, selector, io.cwd, []);
    const target = await openTarget(selector!);
    const result = await eraseCustomer(
      target,
      {
        store: config.bigcommerce.storeHash,
        customerIds: values["customer-id"].map(Number),
        emails: values.email,
        orderIds: values.order.map(Number),
      },
      { dryRun: values["dry-run"] },
    );

    const verb = values["dry-run"] ? "would erase" : "erased";
    io.out(`${verb} in ${target.description}:`);
    for (const link of result.links)
      io.out(
        `  ledger link ${link.key}${link.customerNumber ? ` → M3 customer ${link.customerNumber}` : ""}`,
      );
    for (const f of result.parked) io.out(`  parked ${f.id}  ${f.reason}  ${f.kind} ${f.key}`);
    for (const f of result.dlq) io.out(`  dlq    ${f.queue} ${f.id}  ${f.kind} ${f.key}`);
    if (!result.links.length && !result.parked.length && !result.dlq.length) io.out("  nothing");
    const m3 = result.links.flatMap((l) => (l.customerNumber ? [l.customerNumber] : []));
    if (m3.length)
      io.out(
        `Not erased here: the M3 customer ${m3.join(", ")} (CRS610) and the customer in BigCommerce; see docs/deploy.md.`,
      );
    return 0;
  },
};

/** `pnpm erase-customer ...`; returns the exit code: 0 done, 2 usage error. */
export const runErase = (argv: string[], io: CliIo) => runCommand(eraseCommand, argv, io);
