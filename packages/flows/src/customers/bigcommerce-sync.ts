import {
  type AddressCreate,
  type AttributeValueUpsert,
  type CustomerAddress as BigCommerceAddress,
  type BigCommerceClient,
  LIMITS,
} from "@m3bc/bigcommerce";
import { type ConnectorConfig, isPersistent } from "@m3bc/core";
import {
  type AttributeIds,
  addressOfBigCommerce,
  bigCommerceAddressUpdate,
  bigCommerceNewAddress,
  bigCommerceWrites,
  customerOfBigCommerce,
} from "./bigcommerce-customer";
import type { CustomerSync } from "./binding";
import { addressContent, digest, fieldValue, type ScalarField } from "./fields";
import type { SyncPlan } from "./reconcile";

export type BigCommerceWriter = Pick<
  BigCommerceClient,
  | "updateCustomers"
  | "upsertCustomerAttributeValues"
  | "createCustomerAddresses"
  | "updateCustomerAddresses"
  | "deleteCustomerAddresses"
>;

export interface BigCommerceWrite {
  bigcommerceId: number;
  customerNumber: string;
  plan: SyncPlan;
  /** Write the M3 customer number to its attribute too. */
  writeNumber: boolean;
}

export type WriteOutcome = { ok: true; sync: CustomerSync; calls: number } | { ok: false; error: Error };

/** The BigCommerce address a create answered, matched to the request by the fields that make it unique. */
const sameRequest = (a: BigCommerceAddress, b: AddressCreate) =>
  a.customer_id === b.customer_id &&
  a.first_name === b.first_name &&
  a.last_name === b.last_name &&
  a.address1 === b.address1 &&
  a.city === b.city &&
  a.postal_code === b.postal_code &&
  a.country_code.toUpperCase() === b.country_code.toUpperCase();

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Writes the BigCommerce side of many customers' plans in as few calls as BigCommerce allows, one after the
 * other (customer updates take 10 per call and 3 at once per store; this writer never runs two): customer fields,
 * attribute values (M3-owned fields, the M3 number), address adds, changes and deletes. The BigCommerce hashes of
 * the sync state are taken from BigCommerce's answers, so the echo of these writes compares equal. A batch
 * BigCommerce refuses is tried customer by customer, and only the customers it still refuses fail.
 */
export async function writeBigCommercePlans(
  writes: readonly BigCommerceWrite[],
  deps: { config: ConnectorConfig; bigcommerce: BigCommerceWriter; attributeIds: AttributeIds },
): Promise<Map<number, WriteOutcome>> {
  const { config, bigcommerce, attributeIds } = deps;
  const customers = config.customers;
  const failed = new Map<number, Error>();
  const calls = new Map<number, number>();
  const count = (id: number) => calls.set(id, (calls.get(id) ?? 0) + 1);
  const syncs = new Map(writes.map((w) => [w.bigcommerceId, structuredClone(w.plan.sync)]));

  /** Runs a batch; when BigCommerce refuses it, each customer's part alone, failing only those refused again. */
  async function batched<T>(
    items: Array<{ id: number; item: T }>,
    size: number,
    send: (batch: T[]) => Promise<void>,
  ): Promise<void> {
    for (const batch of chunks(
      items.filter((i) => !failed.has(i.id)),
      size,
    )) {
      try {
        await send(batch.map((b) => b.item));
        for (const id of new Set(batch.map((b) => b.id))) count(id);
      } catch (error) {
        if (!isPersistent(error) || batch.length === 1) {
          if (!isPersistent(error)) throw error;
          failed.set(batch[0]!.id, error as Error);
          continue;
        }
        for (const one of batch)
          await send([one.item]).then(
            () => count(one.id),
            (e: unknown) => {
              if (!isPersistent(e)) throw e;
              failed.set(one.id, e as Error);
            },
          );
      }
    }
  }

  const updates = writes.flatMap((w) => {
    const { update } = bigCommerceWrites(
      w.bigcommerceId,
      w.plan.toBigCommerce.fields,
      customers,
      attributeIds,
    );
    return update ? [{ id: w.bigcommerceId, item: update }] : [];
  });
  await batched(updates, LIMITS.customersPerBatch, async (batch) => {
    for (const saved of await bigcommerce.updateCustomers(batch)) {
      const sync = syncs.get(saved.id)!;
      const now = customerOfBigCommerce({ ...saved, addresses: [] }, customers, attributeIds);
      const written = Object.keys(
        writes.find((w) => w.bigcommerceId === saved.id)!.plan.toBigCommerce.fields,
      );
      for (const field of written as ScalarField[])
        if (field !== "terms" && field !== "credit")
          sync.fields[field] = { ...sync.fields[field], bigcommerce: digest(fieldValue(now, field)) };
    }
  });

  const values = writes.flatMap((w) => {
    const { attributes } = bigCommerceWrites(
      w.bigcommerceId,
      w.plan.toBigCommerce.fields,
      customers,
      attributeIds,
    );
    if (w.writeNumber && attributeIds.customerNumber !== undefined)
      attributes.push({
        attribute_id: attributeIds.customerNumber,
        customer_id: w.bigcommerceId,
        value: w.customerNumber,
      });
    return attributes.map((item) => ({ id: w.bigcommerceId, item }));
  });
  // Values of at most 10 customers per call: group them by customer first.
  const byCustomer = [...Map.groupBy(values, (v) => v.id)].map(([id, group]) => ({
    id,
    item: group.map((g) => g.item),
  }));
  await batched(byCustomer, LIMITS.attributeValueCustomersPerCall, async (batch) => {
    await bigcommerce.upsertCustomerAttributeValues(batch.flat() as AttributeValueUpsert[]);
  });

  // Addresses: BigCommerce documents no batch size for them; 10 per call, as for customers.
  const adds = writes.flatMap((w) =>
    w.plan.toBigCommerce.addAddresses.map((a) => ({
      id: w.bigcommerceId,
      item: { request: bigCommerceNewAddress(w.bigcommerceId, a.address), m3Key: a.m3Key, m3Hash: a.m3Hash },
    })),
  );
  await batched(adds, 10, async (batch) => {
    const created = await bigcommerce.createCustomerAddresses(batch.map((b) => b.request));
    const open = [...batch];
    for (const address of created) {
      const at = open.findIndex((b) => sameRequest(address, b.request));
      if (at < 0) continue;
      const [{ m3Key, m3Hash }] = open.splice(at, 1) as [(typeof batch)[number]];
      syncs.get(address.customer_id)!.addresses[String(address.id)] = {
        m3: m3Key,
        hashes: { bigcommerce: digest(addressContent(addressOfBigCommerce(address))), m3: m3Hash },
      };
    }
    // An address BigCommerce left out was identical to one the customer has: the next sync pairs the two.
  });

  const changes = writes.flatMap((w) =>
    w.plan.toBigCommerce.changeAddresses.map((a) => ({
      id: w.bigcommerceId,
      item: bigCommerceAddressUpdate(a.id, a.address),
    })),
  );
  await batched(changes, 10, async (batch) => {
    for (const address of await bigcommerce.updateCustomerAddresses(batch)) {
      const pair = syncs.get(address.customer_id)?.addresses[String(address.id)];
      if (pair) pair.hashes.bigcommerce = digest(addressContent(addressOfBigCommerce(address)));
    }
  });

  const deletes = writes.flatMap((w) =>
    w.plan.toBigCommerce.deleteAddresses.map((id) => ({ id: w.bigcommerceId, item: id })),
  );
  await batched(deletes, LIMITS.inFilterValues, (batch) => bigcommerce.deleteCustomerAddresses(batch));

  return new Map(
    writes.map((w): [number, WriteOutcome] => {
      const error = failed.get(w.bigcommerceId);
      return [
        w.bigcommerceId,
        error
          ? { ok: false, error }
          : { ok: true, sync: syncs.get(w.bigcommerceId)!, calls: calls.get(w.bigcommerceId) ?? 0 },
      ];
    }),
  );
}
