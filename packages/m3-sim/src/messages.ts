/**
 * Message ids and texts for what LstErrMsgOrder reports (and Confirm answers). The real ids are not
 * in the reference notes; these follow M3's message-file pattern (W + field + 01 invalid / 03 does not
 * exist), taken from a public third-party catalogue of M3 messages, except customerBlocked, which is
 * invented. Every one can be replaced with `startM3Simulator({ messages })`.
 */
export interface MessageTemplate {
  id: string;
  /** `&1`, `&2`… are filled with the item, customer, warehouse… */
  text: string;
}

export const DEFAULT_MESSAGES = {
  /** &1 item */
  itemUnknown: { id: "WIT0103", text: "Item number &1 does not exist" },
  /** &1 item, &2 warehouse */
  itemNotInWarehouse: { id: "WIT0101", text: "Item number &1 is invalid in warehouse &2" },
  /** &1 customer */
  customerUnknown: { id: "WCU0203", text: "Customer number &1 does not exist" },
  /** &1 customer, &2 status */
  customerBlocked: { id: "WCU0290", text: "Customer &1 is blocked - status is &2" },
  /** &1 warehouse */
  warehouseUnknown: { id: "WWH0103", text: "Warehouse &1 does not exist" },
  /** &1 order type */
  orderTypeUnknown: { id: "WTT0403", text: "Order type &1 does not exist" },
  /** &1 facility */
  facilityUnknown: { id: "WFAC303", text: "Facility &1 does not exist" },
} satisfies Record<string, MessageTemplate>;

export type MessageKey = keyof typeof DEFAULT_MESSAGES;
export type Messages = Record<MessageKey, MessageTemplate>;

/**
 * Fixed ids for errors outside order validation. XRE0103, XRE0104 and XAU0008 are real (notes §1.4);
 * XNU0000 and XDT0001 come from the same third-party catalogue; the rest are the simulator's own.
 */
export const CODES = {
  recordMissing: "XRE0103",
  recordExists: "XRE0104",
  notAuthorized: "XAU0008",
  numeric: "XNU0000",
  date: "XDT0001",
  tooLong: "XLE0001",
  mandatory: "XMA0001",
  unknownField: "XFD0001",
  unknownTransaction: "XTR0001",
  batchConfirmed: "XBO0001",
  badSearch: "XSQ0001",
  invalidValue: "XVA0001",
  // Cancellations (DelLine, DelHead): the docs give no id for "line already picked"; the simulator's own.
  lineProgressed: "XST0044",
  // Returns (OIS390MI AddLine): more returned than delivered; the simulator's own id.
  returnExceeds: "XRQ0001",
  // Finance (ARS040MI, GLS840MI): the docs give no ids or texts for these; the simulator's own.
  batchUpdated: "XBP0001",
  amountInvalid: "XAM0001",
  invoiceMissing: "WCI0103",
  invoiceCustomer: "WCU0201",
  currency: "WCU0401",
  unknownCode: "XCD0103",
} as const;
