/**
 * What the flows remember between messages (DynamoDB in the cloud and locally, memory in unit tests).
 * Each write is one conditional or plain put/update; reads are single gets.
 */

export interface CustomerLink {
  /** M3 customer number. */
  customerNumber: string;
  /** Normalized address M3 holds for the customer, to decide whether an order needs its own delivery address. */
  addressKey: string;
}

/** Progress of one BigCommerce order through M3; parts are keyed by shipping address id. */
export interface OrderProgress {
  key: string;
  /** "sent" once every part is confirmed in M3 and BigCommerce is marked. */
  state: "in-progress" | "sent";
  parts: Record<string, { tempOrderNumber?: string; orderNumber?: string }>;
  customerNumber?: string;
}

/**
 * Stock an order holds before M3 allocates it: SKU → quantity. The inventory flow subtracts open
 * reservations from M3's available quantity, so a stock push cannot re-sell what BigCommerce already sold.
 */
export type Reservation = Record<string, number>;

export interface Ledger {
  getCustomer(key: string): Promise<CustomerLink | undefined>;
  putCustomer(key: string, link: CustomerLink): Promise<void>;
  getOrder(key: string): Promise<OrderProgress | undefined>;
  /**
   * Records the temporary (batch) order number of a part, only if the part has none or still has `replacing`:
   * "conflict" means another delivery of the same order got there first.
   */
  recordBatchHead(
    key: string,
    partId: string,
    tempOrderNumber: string,
    options: { replacing?: string; reservation: Reservation },
  ): Promise<"recorded" | "conflict">;
  /** Records the confirmed M3 order numbers and that BigCommerce was marked: the order is done. */
  recordSent(
    key: string,
    parts: OrderProgress["parts"],
    customerNumber: string,
    reservation: Reservation,
  ): Promise<void>;
}
