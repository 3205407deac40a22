import { type ConnectorConfig, type CustomerAddress, dec, PersistentError } from "@m3bc/core";
import {
  type BulkResult,
  CRS610MI,
  M3BusinessError,
  type M3Client,
  type M3Request,
  type TxResult,
} from "@m3bc/m3";
import { activeFields, type PostalPart, postalPart } from "./fields";
import { fit, postalAddressOfM3 } from "./m3-address";
import { customerOfM3, m3CustomerAddress, m3Email, m3Name } from "./m3-customer";
import type { SyncPlan } from "./reconcile";

/** One M3 customer as the sync reads it: the canonical customer, the reference field, its own address. */
export interface M3State {
  customer: ReturnType<typeof customerOfM3>;
  /** What customers.referenceField holds ("" when none or not configured). */
  reference: string;
  /** The M3 customer type (CUTP). */
  type: number;
  basicAddress: PostalPart | undefined;
}

/** Customers per bulk call when reading: 4 transactions each, 100 per request. */
const READ_CHUNK = 25;

/**
 * Reads M3 customers in bulk: basic data, order info (group, terms), financial (credit, when synced) and the
 * addresses of customers.addressType, one POST per 25 customers. A customer M3 does not have is left out.
 */
export async function readM3Customers(
  numbers: readonly string[],
  deps: { config: ConnectorConfig; m3: Pick<M3Client, "bulk"> },
): Promise<Map<string, M3State>> {
  const { config, m3 } = deps;
  const CONO = config.m3.company;
  const financial = activeFields(config.customers).includes("credit");
  const found = new Map<string, M3State>();
  for (let i = 0; i < numbers.length; i += READ_CHUNK) {
    const chunk = numbers.slice(i, i + READ_CHUNK);
    const requests = chunk.flatMap((CUNO) => [
      CRS610MI.GetBasicData.request({ CONO, CUNO }),
      CRS610MI.GetOrderInfo.request({ CONO, CUNO }),
      ...(financial ? [CRS610MI.GetFinancial.request({ CONO, CUNO })] : []),
      CRS610MI.LstAddresses.request({ CONO, CUNO, ADRT: config.customers.addressType }),
    ]);
    const results = (await m3.bulk(requests as readonly M3Request<unknown>[])) as BulkResult<unknown>[];
    const per = requests.length / chunk.length;
    chunk.forEach((CUNO, j) => {
      const [basic, orderInfo, ...rest] = results.slice(j * per, (j + 1) * per);
      if (!basic!.ok && basic!.error instanceof M3BusinessError && basic!.error.kind === "notFound") return;
      const records = [basic!, orderInfo!, ...rest].map((r) => {
        if (!r.ok) throw r.error;
        return r.records;
      });
      const b = records[0]![0] as TxResult<typeof CRS610MI.GetBasicData>;
      const customer = customerOfM3(
        {
          basic: b,
          orderInfo: records[1]![0] as never,
          ...(financial ? { financial: records[2]![0] as never } : {}),
          addresses: records.at(-1) as never,
        },
        config.customers,
      );
      const ref = config.customers.referenceField;
      const postal = b.CUA1
        ? postalAddressOfM3({ ...b, PHNO: "" }, config.customers.countryCodes)
        : undefined;
      found.set(CUNO, {
        customer,
        reference: ref ? b[ref].trim() : "",
        type: b.CUTP,
        basicAddress: postal && postalPart(postal),
      });
    });
  }
  return found;
}

/**
 * Writes a plan's M3 side in one bulk call: ChgBasicData (e-mail, name, phone, the first BigCommerce address as
 * the customer's own, the reference field), ChgOrderInfo (group, terms), ChgFinancial (credit), and the address
 * adds, changes and deletes. An address that turns out to exist already (a retry after a crash) is changed
 * instead, one already gone is not deleted again; any other refusal fails the delivery with M3's message.
 */
export async function writeM3Plan(
  target: { bigcommerceId: number; customerNumber: string; reference: string },
  plan: SyncPlan["toM3"],
  deps: { config: ConnectorConfig; m3: Pick<M3Client, "bulk"> },
): Promise<number> {
  const { config } = deps;
  const customers = config.customers;
  const CONO = config.m3.company;
  const CUNO = target.customerNumber;
  const what = `BigCommerce customer ${target.bigcommerceId} (M3 ${CUNO})`;
  const basic: Record<string, string> = {};
  const { fields } = plan;
  if ("email" in fields) basic.MAIL = m3Email(String(fields.email), what);
  if ("name" in fields)
    Object.assign(basic, m3Name(fields.name as Parameters<typeof m3Name>[0], customers, what));
  if ("phone" in fields)
    basic.PHNO = fit("PHNO", String(fields.phone), {
      cut: customers.truncate.includes("phone"),
      what,
      allowKey: "phone",
    });
  if (plan.basicAddress) {
    const {
      CUNM: _,
      PHNO: __,
      ...postal
    } = m3CustomerAddress(plan.basicAddress, customers, what, {
      basic: true,
    });
    Object.assign(basic, postal);
  }
  const ref = customers.referenceField;
  if (ref && target.reference !== String(target.bigcommerceId)) basic[ref] = String(target.bigcommerceId);

  const address = (a: { adrt: number; adid: string; address: CustomerAddress }) => ({
    CONO,
    CUNO,
    ADRT: a.adrt,
    ADID: a.adid,
    ...m3CustomerAddress(a.address, customers, `${what}, address ${a.address.key}`),
  });
  const requests: M3Request<unknown>[] = [
    ...(Object.keys(basic).length ? [CRS610MI.ChgBasicData.request({ CONO, CUNO, ...basic })] : []),
    ...("group" in fields || "terms" in fields
      ? [
          CRS610MI.ChgOrderInfo.request({
            CONO,
            CUNO,
            ...("group" in fields ? { CUCL: String(fields.group) } : {}),
            ...("terms" in fields ? { TEPY: String(fields.terms) } : {}),
          }),
        ]
      : []),
    ...("credit" in fields
      ? [CRS610MI.ChgFinancial.request({ CONO, CUNO, CRLM: dec(String(fields.credit)).round(2).toString() })]
      : []),
    ...plan.addAddresses.map((a) => CRS610MI.AddAddress.request(address(a))),
    ...plan.changeAddresses.map((a) => CRS610MI.ChgAddress.request(address(a))),
    ...plan.deleteAddresses.map((a) =>
      CRS610MI.DeleteAddress.request({ CONO, CUNO, ADRT: a.adrt, ADID: a.adid }),
    ),
  ];
  if (!requests.length) return 0;
  const results = (await deps.m3.bulk(requests)) as BulkResult<unknown>[];
  const retries: M3Request<unknown>[] = [];
  results.forEach((result, i) => {
    if (result.ok) return;
    const { error } = result;
    const kind = error instanceof M3BusinessError ? error.kind : undefined;
    const request = requests[i]!;
    if (result.transaction === "AddAddress" && kind === "alreadyExists")
      retries.push(CRS610MI.ChgAddress.request(request.record as never));
    else if (result.transaction === "ChgAddress" && kind === "notFound")
      retries.push(CRS610MI.AddAddress.request(request.record as never));
    else if (!(result.transaction === "DeleteAddress" && kind === "notFound")) throw refusal(error, what);
  });
  if (retries.length)
    for (const result of (await deps.m3.bulk(retries)) as BulkResult<unknown>[])
      if (!result.ok) throw refusal(result.error, what);
  return requests.length;
}

const refusal = (error: Error, what: string) =>
  error instanceof M3BusinessError
    ? new PersistentError("M3_REJECTED", `${what}: ${error.message}`, {
        cause: error,
        details: error.details,
      })
    : error;
