import { createHash } from "node:crypto";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, paginateQuery, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Envelope } from "@m3bc/core";
import type {
  FinanceLedger,
  FinanceOrder,
  FinanceReport,
  PaymentRef,
  PostingBatch,
  PostingDeps,
  PostingRequest,
  RefundRecord,
} from "@m3bc/flows";
import type { FunctionName } from "@m3bc/topology";
import { dynamo } from "./aws-clients";
import { m3Client } from "./clients";
import { loadConfig } from "./config";
import { MetricUnit, metricNames } from "./observability";
import { tableName } from "./runtime";
import { parkReport, sameKind } from "./sync";

/** Partition value of the sparse "finance-open" index: orders with invoices or postings still to come. */
export const FINANCE_OPEN = "open";

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as Error).name === "ConditionalCheckFailedException";

/** Runs a conditional write; false when its condition did not hold. */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** An order item: the FinanceOrder, with `open` and `sentAt` as the index wants them (absent when not in it). */
function toItem(order: FinanceOrder, version: number): Record<string, unknown> {
  const { key, open, ...rest } = order;
  return {
    ...rest,
    pk: key,
    version,
    ...(open && order.m3 ? { open: FINANCE_OPEN, sentAt: order.m3.sentAt } : {}),
    updatedAt: new Date().toISOString(),
  };
}

function fromItem(item: Record<string, unknown>): FinanceOrder {
  const { pk, open, sentAt: _sentAt, updatedAt: _updatedAt, ...rest } = item;
  return { ...(rest as Omit<FinanceOrder, "key" | "open">), key: pk as string, open: open === FINANCE_OPEN };
}

/** One conditional update of a payment entry (its path is payments.<transaction id>), bumping the version. */
function paymentUpdate(
  ref: PaymentRef,
  expression: string,
  condition: string,
  values: Record<string, unknown>,
) {
  // "batch" is a DynamoDB reserved word: fields go through name placeholders, and DynamoDB refuses unused ones.
  const names = {
    "#p": "payments",
    "#tx": ref.transactionId,
    "#batch": "batch",
    "#hold": "hold",
    "#postedAt": "postedAt",
  };
  const used = `${expression} ${condition}`;
  return new UpdateCommand({
    TableName: tableName("finance"),
    Key: { pk: ref.key },
    UpdateExpression: `${expression} ADD version :one`,
    ConditionExpression: condition,
    ExpressionAttributeNames: Object.fromEntries(
      Object.entries(names).filter(([name]) => new RegExp(`${name}\\b`).test(used)),
    ),
    ExpressionAttributeValues: { ":one": 1, ...values },
  });
}

async function* pages(query: {
  IndexName: string;
  KeyConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}): AsyncGenerator<FinanceOrder[]> {
  for await (const page of paginateQuery({ client: dynamo() }, { TableName: tableName("finance"), ...query }))
    if (page.Items?.length) yield page.Items.map(fromItem);
}

/** Each day from `from` to `to` (YYYY-MM-DD), inclusive. */
function* days(from: string, to: string): Generator<string> {
  for (
    let d = new Date(`${from}T00:00:00Z`);
    d.toISOString().slice(0, 10) <= to;
    d.setUTCDate(d.getUTCDate() + 1)
  )
    yield d.toISOString().slice(0, 10);
}

/** The finance ledger on DynamoDB (table `finance`): strongly consistent reads for the sagas' decisions. */
export const dynamoFinanceLedger: FinanceLedger = {
  async getOrder(key) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName("finance"), Key: { pk: key }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  },

  async putOrder(order, expected) {
    const saved = await conditional(
      dynamo().send(
        new PutCommand({
          TableName: tableName("finance"),
          Item: toItem(order, (expected ?? 0) + 1),
          ConditionExpression: expected === undefined ? "attribute_not_exists(pk)" : "version = :v",
          ...(expected === undefined ? {} : { ExpressionAttributeValues: { ":v": expected } }),
        }),
      ),
    );
    return saved ? "saved" : "conflict";
  },

  listOpen: () =>
    pages({
      IndexName: "finance-open",
      KeyConditionExpression: "#open = :open",
      ExpressionAttributeNames: { "#open": "open" },
      ExpressionAttributeValues: { ":open": FINANCE_OPEN },
    }),

  async *listByDay(from, to) {
    for (const day of days(from, to))
      yield* pages({
        IndexName: "orders-by-day",
        KeyConditionExpression: "#day = :day",
        ExpressionAttributeNames: { "#day": "day" },
        ExpressionAttributeValues: { ":day": day },
      });
  },

  async claim(refs, batch) {
    const claimed: PaymentRef[] = [];
    for (const ref of refs) {
      const ok = await conditional(
        dynamo().send(
          paymentUpdate(
            ref,
            "SET #p.#tx.#batch = :b",
            "attribute_exists(#p.#tx) AND ((attribute_not_exists(#p.#tx.#batch) AND attribute_not_exists(#p.#tx.#hold)) OR #p.#tx.#batch = :b)",
            { ":b": batch },
          ),
        ),
      );
      if (ok) claimed.push(ref);
    }
    return claimed;
  },

  async markPosted(refs, batch, at) {
    for (const ref of refs)
      await conditional(
        dynamo().send(
          paymentUpdate(ref, "SET #p.#tx.#postedAt = :at", "#p.#tx.#batch = :b", { ":b": batch, ":at": at }),
        ),
      );
  },

  async release(refs, batch, hold) {
    for (const ref of refs)
      await conditional(
        dynamo().send(
          paymentUpdate(
            ref,
            hold ? "SET #p.#tx.#hold = :h REMOVE #p.#tx.#batch" : "REMOVE #p.#tx.#batch",
            "#p.#tx.#batch = :b",
            {
              ":b": batch,
              ...(hold ? { ":h": hold } : {}),
            },
          ),
        ),
      );
  },

  async setHold(ref, hold) {
    await conditional(
      dynamo().send(
        paymentUpdate(
          ref,
          hold ? "SET #p.#tx.#hold = :h" : "REMOVE #p.#tx.#hold",
          "attribute_exists(#p.#tx) AND attribute_not_exists(#p.#tx.#batch)",
          hold ? { ":h": hold } : {},
        ),
      ),
    );
  },

  async getBatch(key) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName("finance"), Key: { pk: key }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk, ...rest } = Item;
    return { ...(rest as Omit<PostingBatch, "key">), key: pk as string };
  },

  async createBatch(batch) {
    const { key, ...rest } = batch;
    return conditional(
      dynamo().send(
        new PutCommand({
          TableName: tableName("finance"),
          Item: { ...rest, pk: key },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  },

  async saveBatch(batch) {
    const { key, ...rest } = batch;
    await dynamo().send(new PutCommand({ TableName: tableName("finance"), Item: { ...rest, pk: key } }));
  },

  async leaseBatch(key, until, now) {
    return conditional(
      dynamo().send(
        new UpdateCommand({
          TableName: tableName("finance"),
          Key: { pk: key },
          UpdateExpression: "SET leaseUntil = :until",
          ConditionExpression:
            "attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)",
          ExpressionAttributeValues: { ":until": until, ":now": now },
        }),
      ),
    );
  },

  async nextNumber(counter, first) {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName("finance"),
        Key: { pk: `counter:${counter}` },
        UpdateExpression: "ADD #n :one",
        ExpressionAttributeNames: { "#n": "n" },
        ExpressionAttributeValues: { ":one": 1 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return first + Number(Attributes?.n ?? 1) - 1;
  },
};

/**
 * The posting step's ports on AWS. Payments a human must look at are parked as a posting request holding only
 * them (one record per reason and set of payments); replaying it frees their holds and posts them.
 */
export async function financePostingDeps(
  functionName: FunctionName,
  message: Envelope,
  leaseUntil: number,
): Promise<PostingDeps> {
  return {
    config: loadConfig(),
    ledger: dynamoFinanceLedger,
    m3: await m3Client(),
    // Lambda stops the function at its deadline: after that, nobody is still working on a batch it leased.
    leaseUntil,
    park: (report) => {
      const payload: PostingRequest = { payments: report.payments, release: true };
      const digest = createHash("sha256").update(JSON.stringify(report.payments)).digest("hex").slice(0, 16);
      return parkReport(functionName, ...sameKind(functionName, message, payload), report.reason, {
        error: report.message,
        details: report.details,
        id: `${functionName}:${report.reason}:${digest}`,
      });
    },
  };
}

/**
 * The reconciliation's metrics: mismatches (count), mismatches older than finance.reconcile.alarmAfterDays (the
 * alarm watches this one) and the mismatched amount per currency (a float for the graph; the report is exact).
 */
export function publishReconciliation(
  metrics: Metrics,
  report: Pick<FinanceReport, "mismatches" | "stale" | "mismatchAmount">,
): void {
  metrics.addMetric(metricNames.reconcileMismatches, MetricUnit.Count, report.mismatches);
  metrics.addMetric(metricNames.reconcileStaleMismatches, MetricUnit.Count, report.stale);
  for (const [currency, amount] of Object.entries(report.mismatchAmount)) {
    const single = metrics.singleMetric();
    single.addDimension("currency", currency);
    single.addMetric(metricNames.reconcileMismatchAmount, MetricUnit.NoUnit, Number(amount));
  }
}

/**
 * Records a BigCommerce refund on the order's finance item (refunds.<refund id>), bumping its version so a
 * finance writer holding an older copy reads again. An order finance does not follow (no item) gets nothing.
 */
export async function recordFinanceRefund(
  key: string,
  refundId: number,
  record: RefundRecord,
): Promise<void> {
  const write = (expression: string, condition: string, values: Record<string, unknown>) =>
    conditional(
      dynamo().send(
        new UpdateCommand({
          TableName: tableName("finance"),
          Key: { pk: key },
          UpdateExpression: `${expression}, version = version + :one`,
          ConditionExpression: condition,
          ExpressionAttributeNames: {
            "#refunds": "refunds",
            ...(expression.includes("#id") ? { "#id": String(refundId) } : {}),
          },
          ExpressionAttributeValues: { ":one": 1, ...values },
        }),
      ),
    );
  const intoMap = () =>
    write("SET #refunds.#id = :record", "attribute_exists(#refunds)", { ":record": record });
  if (await intoMap()) return;
  const first = { [String(refundId)]: record };
  if (
    await write("SET #refunds = :map", "attribute_exists(pk) AND attribute_not_exists(#refunds)", {
      ":map": first,
    })
  )
    return;
  // Another refund created the map meanwhile, or there is no item (finance does not follow the order).
  await intoMap();
}
