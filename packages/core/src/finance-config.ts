import * as z from "zod";
import { Decimal } from "./money";
import { describeSuggestions, suggest } from "./suggest";

/**
 * The `finance` section of the connector config: how BigCommerce payments reach M3 receivables (ARS040MI payment
 * batches, or GLS840MI journals), which M3 payment type, bank account and GL accounts each gateway × method ×
 * currency posts to, and how the reconciliation judges what it finds. docs/finance.md explains the flow.
 */
const DecimalText = z.string().refine(Decimal.isDecimal, "expected a decimal string such as 2.9");
const Wildcard = z.literal("*");

const Accounts = z.strictObject({
  payment: z
    .string()
    .min(1)
    .max(10)
    .describe(
      "GL account (accounting dimension 1, AIT1) the money lands on: the gateway's clearing or bank account",
    ),
  receivable: z
    .string()
    .min(1)
    .max(10)
    .nullable()
    .default(null)
    .describe("GL account of customer receivables, credited by a GLS840MI journal (unused by ARS040MI)"),
  fees: z
    .string()
    .min(1)
    .max(10)
    .nullable()
    .default(null)
    .describe("GL account gateway fees are expensed to by a GLS840MI journal (ARS040MI uses feeCharge)"),
  dimensions: z
    .array(z.string().max(10))
    .max(6)
    .default([])
    .describe("accounting dimensions 2–7 (AIT2…AIT7) that go with the payment account, in order"),
});

export const PaymentMapping = z
  .strictObject({
    gateway: z
      .union([Wildcard, z.string().min(1)])
      .describe('BigCommerce transaction gateway, e.g. "stripe", "braintree", "bankdeposit", or "*"'),
    method: z
      .union([Wildcard, z.string().min(1)])
      .default("*")
      .describe('BigCommerce transaction method, e.g. "credit_card", "offline", or "*"'),
    currency: z
      .union([Wildcard, z.string().length(3)])
      .default("*")
      .describe('ISO currency of the transaction, e.g. "USD", or "*"'),
    paymentType: z
      .string()
      .min(1)
      .max(2)
      .describe("M3 payment type (PYTP) of the ARS040MI payment line, e.g. CC"),
    batchPaymentType: z
      .string()
      .min(1)
      .max(3)
      .describe("M3 batch payment type (BOPE) of the ARS040MI batch, as set up in ARS040 for FAM AR40"),
    bankAccount: z
      .string()
      .min(1)
      .max(35)
      .describe("M3 bank account (BAAN) the payments of this row are received on"),
    accounts: Accounts,
    feeCharge: z
      .string()
      .min(1)
      .max(10)
      .nullable()
      .default(null)
      .describe("M3 charge (CHRI) gateway fees are posted as (ARS040MI AddBatchCharge); null posts no fees"),
    fee: z
      .strictObject({
        percent: DecimalText.default("0").describe("percent of each payment, e.g. 2.9"),
        fixed: DecimalText.default("0").describe("fixed amount per payment, e.g. 0.30"),
      })
      .nullable()
      .default(null)
      .describe(
        "the gateway's fee rule: BigCommerce transactions carry no fee, so fees are computed (rounded to the cent), or null for none",
      ),
  })
  .describe("one row of the payment mapping: the first row matching gateway, method and currency wins");
export type PaymentMapping = z.output<typeof PaymentMapping>;

/** A GLS840MI record (PARM) is fixed-width; the layout is the tenant's interface definition, so it is config. */
const Gls840 = z.strictObject({
  interface: z
    .string()
    .min(1)
    .max(20)
    .default("M3BCJRNL")
    .describe("GLS840 interface (INTN) whose record layout `record` follows"),
  description: z.string().min(1).max(40).default("BigCommerce payments").describe("batch description (DESC)"),
  record: z
    .string()
    .min(1)
    .default("{account:10}{dimension2:10}{amount:17:right}{currency:3}{date:8}{text:40}")
    .describe(
      "the PARM record: {field:width} pads right, {field:width:right} pads left; fields account, dimension2…dimension7, amount (signed, 2 decimals), currency, date (yyyyMMdd), text, order, invoice, reference",
    ),
  keyPrefix: z
    .string()
    .regex(/^[A-Z0-9]{1,4}$/)
    .default("BC")
    .describe("prefix of the batch key (KEY1) the connector numbers its journals with"),
});

const Ars040 = z.strictObject({
  firstBatchNumber: z
    .number()
    .int()
    .min(1)
    .max(9_999_999_999)
    .default(7_000_000_001)
    .describe(
      "first payment batch number (PBID) the connector uses; pick a range M3's own ARS040 number series never reaches",
    ),
  foreignDomestic: z
    .string()
    .max(2)
    .nullable()
    .default(null)
    .describe("NADO of the batch head, when the tenant's AR40 setup needs it; null leaves it to M3"),
  checkNumber: z
    .enum(["transaction", "gateway"])
    .default("transaction")
    .describe(
      "what the line's check number (CKNO, 15 characters) carries: the BigCommerce transaction id, or the gateway's id when it fits",
    ),
  alreadyDone: z
    .string()
    .default("already (controlled|updated|exists)")
    .describe(
      "a regular expression (case-insensitive) matching M3's answer to ControlBatch on a batch already controlled: the docs do not give its text",
    ),
});

export const FinanceConfig = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("record payments, read invoices, post to M3 receivables and reconcile (docs/finance.md)"),
    posting: z
      .enum(["ars040", "gls840"])
      .default("ars040")
      .describe(
        "ars040: ARS040MI payment batches against the invoices (needs FAM function AR40); gls840: GLS840MI journals",
      ),
    mappings: z
      .array(PaymentMapping)
      .default([])
      .describe("gateway × method × currency → M3 payment type, bank account and GL accounts"),
    referenceOptionalMethods: z
      .array(z.string())
      .default(["offline", "custom", "store_credit", "gift_certificate"])
      .describe(
        "transaction methods that may lack a gateway transaction id (the BigCommerce transaction id is used instead); other methods are held as PAYMENT_INVALID without one",
      ),
    orderReference: z
      .enum(["NREF", "OREF"])
      .nullable()
      .default("NREF")
      .describe(
        "the M3 order head field (OIS100MI AddBatchHead) that gets the gateway's payment id (BigCommerce payment_provider_id): NREF reference number (20 characters) or OREF our reference (30); null for none. An id longer than the field is left out, never cut",
      ),
    arInvoiceNumber: z
      .enum(["IVNO", "EXIN"])
      .default("IVNO")
      .describe(
        "which OIS350 invoice number is the receivables invoice number (CINO): depends on the company's invoice number settings",
      ),
    paymentsPerBatch: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(200)
      .describe("payments per M3 payment batch (one ARS040MI batch or GLS840MI journal per message)"),
    ordersPerCall: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(100)
      .describe("M3 orders asked about per bulk call (OIS350MI LstAllInvByCO, OIS100MI GetOrderValue)"),
    openDays: z
      .number()
      .int()
      .min(1)
      .default(120)
      .describe(
        "days after which an order still not fully invoiced and paid is no longer polled (the report keeps it)",
      ),
    metafields: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe("write the M3 order and invoice numbers to the BigCommerce order as metafields"),
        namespace: z.string().min(1).max(64).default("M3").describe("metafield namespace"),
        permissionSet: z
          .enum(["app_only", "read", "write", "read_and_sf_access", "write_and_sf_access"])
          .default("read")
          .describe("who else may see the metafields (BigCommerce permission_set)"),
        perCall: z
          .number()
          .int()
          .min(1)
          .max(250)
          .default(50)
          .describe("metafields per batch call (/v3/orders/metafields): the docs give no limit"),
      })
      .prefault({}),
    ars040: Ars040.prefault({}),
    gls840: Gls840.prefault({}),
    reconcile: z
      .strictObject({
        graceDays: z
          .number()
          .int()
          .min(0)
          .default(7)
          .describe("an order younger than this with something still missing is `late`, not a mismatch"),
        alarmAfterDays: z
          .number()
          .int()
          .min(0)
          .default(10)
          .describe("mismatches of orders older than this count in the ReconcileStaleMismatches alarm"),
        windowDays: z
          .number()
          .int()
          .min(1)
          .max(400)
          .default(35)
          .describe("days of orders the daily scheduled reconciliation covers, up to yesterday"),
        tolerance: DecimalText.default("0").describe("differences up to this amount still count as matched"),
      })
      .prefault({}),
  })
  .refine((f) => !f.enabled || f.posting !== "gls840" || f.mappings.every((m) => m.accounts.receivable), {
    message: "posting gls840 needs accounts.receivable on every mapping row (the journal credits it)",
    path: ["mappings"],
  });
export type FinanceConfig = z.output<typeof FinanceConfig>;

/** How a mapping row is named in errors and docs: its index and what it matches. */
export const mappingRowName = (index: number, row: Pick<PaymentMapping, "gateway" | "method" | "currency">) =>
  `finance.mappings[${index}] (gateway ${row.gateway}, method ${row.method}, currency ${row.currency})`;

/** The first mapping row matching a transaction, with its index, or undefined. */
export function findMapping(
  mappings: readonly PaymentMapping[],
  payment: { gateway: string; method: string; currency: string },
): { index: number; row: PaymentMapping } | undefined {
  const matches = (want: string, got: string) => want === "*" || want.toLowerCase() === got.toLowerCase();
  const index = mappings.findIndex(
    (m) =>
      matches(m.gateway, payment.gateway) &&
      matches(m.method, payment.method) &&
      matches(m.currency, payment.currency),
  );
  return index < 0 ? undefined : { index, row: mappings[index]! };
}

/**
 * The rows most like a payment no row matches (its gateway or its method named the same or nearly), as text naming
 * each row, or "": for the operator who adds the missing row by copying one that posts alike.
 */
export function mappingsLike(
  mappings: readonly PaymentMapping[],
  payment: { gateway: string; method: string },
): string {
  const rows = mappings.map((row, index) => ({
    code: row.gateway,
    ...(row.method === "*" ? {} : { name: row.method }),
    source: `finance.mappings[${index}]`,
  }));
  return describeSuggestions(suggest("gateway", { code: payment.gateway, name: payment.method }, rows));
}
