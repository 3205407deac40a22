import type { LinkOrigin } from "./customers/binding";
import type { VelocityRecord } from "./guards/orders";
import type { RunningStats } from "./guards/stats";
import type { CreditLedger } from "./returns/credit";
import type { RefundProgress } from "./returns/refund";

/**
 * What the flows remember between messages (DynamoDB in the cloud and locally, memory in unit tests).
 * Each write is one conditional or plain put/update; reads are single gets.
 */

export interface CustomerLink {
  /** M3 customer number. */
  customerNumber: string;
  /** Normalized address M3 holds for the customer, to decide whether an order needs its own delivery address. */
  addressKey: string;
  /** The BigCommerce customer (none for guests): the link is also found by the M3 customer number. */
  bigcommerceId?: number;
  /** How the link was made. */
  origin?: LinkOrigin;
  /** Order info a customer the connector created still needs from its group (CRS610MI ChgOrderInfo). */
  setup?: CustomerSetup;
}

/** CRS610MI ChgOrderInfo fields of a customer group mapping, for a customer created from its template. */
export interface CustomerSetup {
  CUCL: string;
  TEPY?: string;
  PLTB?: string;
}

/** What shipments need of an order line: BigCommerce's line id, SKU and quantity, and the M3 quantity it became. */
export interface ShipLine {
  lineId: number;
  sku: string;
  quantity: number;
  unitQuantity: string;
  /** The M3 warehouse the line ships from. */
  warehouse?: string;
  /** The M3 order line (PONR), when the delivery that entered it recorded it (a customer return references it). */
  m3Line?: number;
}

export interface PartProgress {
  tempOrderNumber?: string;
  orderNumber?: string;
  /** Set when the order is sent: the part's lines, for mapping M3 deliveries back to BigCommerce lines. */
  lines?: ShipLine[];
  /**
   * Until when (epoch ms) the invocation that entered the batch may still be working on it. Another invocation
   * must not take the batch over (delete and re-enter it) before then: Lambda stops a function at its timeout,
   * so the lease is the deliver function's timeout, and a failing invocation gives it back at once.
   */
  leaseUntil?: number;
}

/**
 * What the order guards decided, kept with the order's first batch head: a retry or a resume writes the same notes
 * without judging (and learning from) the order again.
 */
export interface GuardRecord {
  verdict: "pass" | "flag";
  /** An operator released a hold. */
  released?: boolean;
  /** The lines for M3's order text and BigCommerce's staff notes (no personal data). */
  notes: string[];
}

/** Progress of one BigCommerce order through M3; parts are keyed by shipping address id. */
export interface OrderProgress {
  key: string;
  /**
   * "sent" once every part is confirmed in M3 and BigCommerce is marked; "cancelled" once a BigCommerce cancel
   * was recorded (before M3, no batch may be entered any more; after, its M3 orders were deleted).
   */
  state: "in-progress" | "sent" | "cancelled";
  parts: Record<string, PartProgress>;
  customerNumber?: string;
  guard?: GuardRecord;
}

/** What a delivery reads before it decides anything: one strongly consistent read. */
export interface OrderContext {
  progress: OrderProgress | undefined;
  /** The customer link, when a key was given and the link exists. */
  customer: CustomerLink | undefined;
  /** The guard records asked for, by key; a key without a record is absent. */
  records: Map<string, Record<string, unknown>>;
}

/**
 * Stock an order holds before M3 allocates it: SKU → quantity. The inventory flow subtracts open
 * reservations from M3's available quantity, so a stock push cannot re-sell what BigCommerce already sold.
 */
export type Reservation = Record<string, number>;

/** An order in M3 that is not fully shipped yet, as the shipments flow sees it. */
export interface ShippableOrder {
  key: string;
  orderId: number;
  parts: Record<string, { orderNumber: string; lines: ShipLine[] }>;
  /** M3 delivery number → BigCommerce shipment id, for deliveries already pushed. */
  shipments: Record<string, number>;
  /** BigCommerce quantity already shipped, per order line id. */
  shipped: Record<string, number>;
}

export interface Ledger {
  getCustomer(key: string): Promise<CustomerLink | undefined>;
  /**
   * Claims the look-up and creation of the M3 customer for `key` until `until` (epoch ms): "busy" while the link
   * exists or another delivery's claim has not run out at `now`. Two orders of a new shopper delivered side by
   * side must not create two M3 customers.
   */
  claimCustomer(key: string, until: number, now: number): Promise<"claimed" | "busy">;
  /** Gives a claim back (the claiming delivery failed), so a retry may go ahead at once. */
  releaseCustomerClaim(key: string): Promise<void>;
  /**
   * Records the link (and ends any claim). A BigCommerce customer's link is also recorded under its M3 number;
   * "taken" means that number is already linked to another BigCommerce customer (nothing was written).
   */
  putCustomer(key: string, link: CustomerLink): Promise<"linked" | "taken">;
  /** The customer's setup (ChgOrderInfo) was done. */
  finishSetup(key: string): Promise<void>;
  getOrder(key: string): Promise<OrderProgress | undefined>;
  /** getOrder, getCustomer and the order guards' records together, in one read. */
  getOrderContext(
    key: string,
    customerKey: string | undefined,
    recordKeys: readonly string[],
  ): Promise<OrderContext>;
  /**
   * Counts order `orderId` in a velocity record (once per order: a retry counts nothing more), drops the entries
   * named in `forget`, and returns the record as it is after the count. Counting is atomic per record, so orders of
   * one shopper delivered side by side each see the ones counted before them.
   */
  countOrder(
    key: string,
    entry: { orderId: number; at: number; forget: readonly string[]; expiresAt: number },
  ): Promise<VelocityRecord>;
  /** Replaces statistics records (the last writer wins: they are approximate by nature). */
  putStats(records: ReadonlyMap<string, RunningStats>): Promise<void>;
  /**
   * Records the temporary (batch) order number of a part, only if the part has none or still has `replacing`
   * and the order is not cancelled: "conflict" means another delivery (or a cancel) got there first.
   */
  recordBatchHead(
    key: string,
    partId: string,
    tempOrderNumber: string,
    options: { replacing?: string; reservation: Reservation; leaseUntil: number; guard?: GuardRecord },
  ): Promise<"recorded" | "conflict">;
  /** Gives a part's lease back, so a retry may resume right away. */
  releaseLease(key: string, partId: string): Promise<void>;
  /**
   * Records the confirmed M3 order numbers (with each part's lines) and that BigCommerce was marked: the order
   * is in M3, and now waits for its shipments. "cancelled" (nothing recorded) if a cancel got there first.
   */
  recordSent(
    key: string,
    orderId: number,
    parts: OrderProgress["parts"],
    customerNumber: string,
    reservation: Reservation,
  ): Promise<"recorded" | "cancelled">;
  /**
   * Records a BigCommerce cancel: no batch is recorded for the order from then on, and it leaves the open-orders
   * (reservations) and unshipped-orders indexes.
   */
  recordCancelled(key: string, orderId: number): Promise<void>;
  /** Replaces a sent order's parts (their lines, after an edit M3 followed). */
  recordLines(key: string, parts: OrderProgress["parts"]): Promise<void>;
  /** A BigCommerce refund's progress into M3 (returns entered, lines sent), on the order's item. */
  getRefund(key: string, refundId: number): Promise<RefundProgress | undefined>;
  /** Takes the refund's lease until `until` unless another invocation holds it past `now`. */
  claimRefund(key: string, refundId: number, until: number, now: number): Promise<"claimed" | "busy">;
  saveRefund(key: string, refundId: number, progress: RefundProgress): Promise<void>;
  releaseRefund(key: string, refundId: number): Promise<void>;
  /** M3 credit notes refunded in BigCommerce (or refused there), by invoice, on the order's item. */
  getCredits: CreditLedger["getCredits"];
  claimCredits: CreditLedger["claimCredits"];
  saveCredit: CreditLedger["saveCredit"];
  releaseCredits: CreditLedger["releaseCredits"];
  /** Orders in M3 with something still to ship (a sparse index: shipped orders drop out of it). */
  listUnshipped(): AsyncGenerator<ShippableOrder>;
  getShippable(key: string): Promise<ShippableOrder | undefined>;
  /**
   * Records an M3 delivery as the BigCommerce shipment `shipmentId`, once ("duplicate" if it already was), with
   * the new shipped quantities; a `complete` order leaves the unshipped index.
   */
  recordShipment(
    key: string,
    deliveryNumber: string,
    result: { shipmentId: number; shipped: Record<string, number>; complete: boolean },
  ): Promise<"recorded" | "duplicate">;
}
