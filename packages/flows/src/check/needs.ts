import type { ConnectorConfig } from "@m3bc/core";
import {
  ARS040MI,
  ARS200MI,
  CRS610MI,
  GLS840MI,
  MMS005MI,
  MMS200MI,
  MWS410MI,
  MWS411MI,
  OIS017MI,
  OIS100MI,
  OIS320MI,
  OIS350MI,
  OIS390MI,
} from "@m3bc/m3";

/** A BigCommerce resource area whose OAuth scope the store-level API account is given (None, Read-only, Modify). */
export type ScopeArea = "orders" | "transactions" | "products" | "inventory" | "customers" | "information";

export const SCOPE_NAMES: Record<ScopeArea, string> = {
  orders: "Orders",
  transactions: "Order transactions",
  products: "Products",
  inventory: "Store inventory",
  customers: "Customers",
  information: "Information & settings",
};

/** What the token must be able to do and which M3 transactions a flow calls: what `pnpm check` verifies. */
export interface FlowNeeds {
  scopes: Partial<Record<ScopeArea, "read" | "modify">>;
  transactions: ReadonlyArray<{ program: string; transaction: string }>;
}

/** Per flow, kept beside the calls it names: a flow that starts calling something adds it here. */
export const FLOW_NEEDS = {
  orders: {
    // Reads the order, marks it sent (status, staff notes); the order hooks need the Orders scope too. A shopper M3
    // does not know yet is created from their BigCommerce customer record (group, address book).
    scopes: { orders: "modify", customers: "read" },
    transactions: [
      OIS100MI.AddBatchHead,
      OIS100MI.AddBatchLine,
      OIS100MI.AddBatchAddress,
      // The guards' flags, in the order text (every order check defaults to flag).
      OIS100MI.AddBatchText,
      OIS100MI.Confirm,
      OIS100MI.LstErrMsgOrder,
      OIS100MI.GetOrderNo,
      OIS100MI.DelBatchHead,
      // Cancels: the lines' status, then deleting lines and head while nothing is picked.
      OIS100MI.LstLine,
      OIS100MI.DelLine,
      OIS100MI.DelHead,
      // Edits (orders.edits): a lowered line's quantity.
      OIS100MI.ChgLineBatchEnt,
      // BigCommerce refunds: the order's invoice, then a customer return (LstLine resumes one cut short).
      OIS350MI.LstAllInvByCO,
      OIS390MI.AddHead,
      OIS390MI.AddLine,
      OIS390MI.LstLine,
      CRS610MI.SearchCustomer,
      CRS610MI.GetBasicData,
      CRS610MI.Add,
      CRS610MI.ChgOrderInfo,
      MMS005MI.LstWarehouses,
    ],
  },
  shipments: {
    // Creates shipments and reads an order's shipments before each create.
    scopes: { orders: "modify" },
    transactions: [MWS411MI.LstDelLnByOrd, MWS410MI.GetHead],
  },
  inventory: {
    scopes: { inventory: "modify" },
    transactions: [OIS100MI.LstNewBalances],
  },
  catalog: {
    // Finds products and variants by SKU through the inventory items list.
    scopes: { products: "modify", inventory: "read" },
    transactions: [MMS200MI.LstItmByChgDate, MMS200MI.GetItmPrice],
  },
  customers: {
    // Reads and writes customers, their addresses and attribute values (customers.sync); the customer hooks.
    scopes: { customers: "modify" },
    transactions: [
      CRS610MI.LstByNumber,
      CRS610MI.GetBasicData,
      CRS610MI.GetOrderInfo,
      CRS610MI.GetFinancial,
      CRS610MI.LstAddresses,
      CRS610MI.ChgBasicData,
      CRS610MI.ChgOrderInfo,
      CRS610MI.ChgFinancial,
      CRS610MI.AddAddress,
      CRS610MI.ChgAddress,
      CRS610MI.DeleteAddress,
    ],
  },
  prices: {
    // Price list records and their assignments to customer groups (BigCommerce puts price lists under Products).
    scopes: { products: "modify" },
    transactions: [OIS017MI.LstPriceList, OIS017MI.LstBasePrice, OIS320MI.LstNewPrices],
  },
  // Finance posting to AR40 payment batches (finance.posting "ars040"): reads transactions, writes order metafields.
  finance: {
    scopes: { orders: "modify", transactions: "read" },
    transactions: [
      OIS350MI.LstAllInvByCO,
      OIS100MI.GetOrderValue,
      ARS200MI.GetInvTotInfo,
      ARS040MI.AddBatchHead,
      ARS040MI.AddBatchLine,
      ARS040MI.AddBatchCharge,
      ARS040MI.ControlBatch,
    ],
  },
  // Finance posting GLS840MI journals instead (finance.posting "gls840").
  "finance-gls840": {
    scopes: { orders: "modify", transactions: "read" },
    transactions: [
      OIS350MI.LstAllInvByCO,
      OIS100MI.GetOrderValue,
      ARS200MI.GetInvTotInfo,
      GLS840MI.AddBatchHead,
      GLS840MI.AddBatchLine,
      GLS840MI.UpdBatch,
      GLS840MI.CtrlBatch,
    ],
  },
} satisfies Record<string, FlowNeeds>;

export type CheckedFlow = keyof typeof FLOW_NEEDS;

/**
 * The flows a config turns on: inventory needs mapped locations, customers customers.sync, prices price lists,
 * finance finance.enabled; the others always run.
 */
export function enabledFlows(config: ConnectorConfig): CheckedFlow[] {
  const flows: CheckedFlow[] = ["orders", "shipments", "catalog"];
  if (Object.keys(config.inventory.locations).length) flows.splice(2, 0, "inventory");
  if (config.customers.sync !== "off") flows.push("customers");
  if (config.prices.lists.length) flows.push("prices");
  if (config.finance.enabled) flows.push(config.finance.posting === "gls840" ? "finance-gls840" : "finance");
  return flows;
}
