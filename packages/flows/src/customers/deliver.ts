import { type CustomerMaster, customerKey, PersistentError, TransientError } from "@m3bc/core";
import { CRS610MI } from "@m3bc/m3";
import { type CustomerBinding, type CustomerBindingStore, emptySync } from "./binding";
import { completeSetup, type LinkDeps, linkOrCreate } from "./identity";
import { type M3State, writeM3Plan } from "./m3-sync";
import { isEmptyPlan, reconcileCustomer } from "./reconcile";
import type { CustomerDelivery } from "./transform";

/** BigCommerce's side of a customer as the sync reads it. */
export interface BigCommerceState {
  customer: CustomerMaster;
  /** The M3 customer number its attribute holds (customers.attributes.customerNumber). */
  m3Number?: string;
}

export interface CustomerDeliverDeps extends LinkDeps {
  bindings: CustomerBindingStore;
  /** The BigCommerce customer (read for the batch in one call), undefined if it is gone. */
  fetchBigCommerce(bigcommerceId: number): Promise<BigCommerceState | undefined>;
  /** The M3 customer (read for the batch in one bulk call), undefined if M3 does not have it. */
  fetchM3(customerNumber: string): Promise<M3State | undefined>;
}

export interface CustomerDeliverResult {
  outcome: "done" | "skipped";
  detail: string;
  /** BigCommerce needs writes too (customers-update makes them): M3-owned fields, the M3 number attribute. */
  bigCommerceNeeded?: { bigcommerceId: number; customerNumber: string };
}

/**
 * Brings BigCommerce's change of one customer to M3. An unlinked customer goes down the matching ladder and is
 * linked, or created in M3 from its group's template (linkOrCreate, under the same claim the orders flow uses);
 * then both sides are read and reconciled, and M3 gets only the fields BigCommerce owns (or shares) that changed,
 * in one bulk call. What BigCommerce must get in return is left to customers-update, the one writer of
 * BigCommerce customers.
 */
export async function deliverCustomer(
  delivery: CustomerDelivery,
  deps: CustomerDeliverDeps,
): Promise<CustomerDeliverResult> {
  const { config } = deps;
  const id = delivery.bigcommerceId;
  const key = customerKey(config.bigcommerce.storeHash, id);
  let binding = (await deps.bindings.get([key])).get(key);
  if (delivery.deleted) return deleted(key, binding, deps);

  const bigcommerce = await deps.fetchBigCommerce(id);
  if (!bigcommerce) return { outcome: "skipped", detail: "BigCommerce no longer has this customer" };
  if (!binding || binding.deleted) {
    await linkOrCreate(key, { bigcommerceId: id, ...bigcommerce }, deps, "created");
    binding = (await deps.bindings.get([key])).get(key);
    if (!binding)
      throw new TransientError(`The link of ${key} was not readable after it was written; retrying`);
  } else await completeSetup(key, binding, deps);

  const m3 = await deps.fetchM3(binding.customerNumber);
  if (!m3)
    throw new PersistentError(
      "CUSTOMER_INVALID",
      `BigCommerce customer ${id} is linked to M3 customer ${binding.customerNumber}, which M3 no longer has`,
      {
        details: { bigcommerceId: id, customerNumber: binding.customerNumber },
        fix: `Link the customer anew: \`pnpm customers link ${id} <CUNO>\` or \`… new\`, then replay.`,
      },
    );
  const plan = reconcileCustomer(
    {
      bigcommerceId: id,
      customerNumber: binding.customerNumber,
      sync: binding.sync,
      bigcommerce: bigcommerce.customer,
      m3: m3.customer,
      m3BasicAddress: m3.basicAddress,
    },
    config.customers,
    { now: deps.now?.() ?? Date.now(), writes: "m3" },
  );
  const calls = await writeM3Plan(
    { bigcommerceId: id, customerNumber: binding.customerNumber, reference: m3.reference },
    plan.toM3,
    deps,
  );
  if ((await deps.bindings.save(key, { version: binding.version, sync: plan.sync })) === "conflict")
    throw new TransientError(`Another sync of ${key} saved first; retrying with both sides read again`);

  const numberMissing =
    config.customers.attributes.customerNumber !== null && bigcommerce.m3Number !== binding.customerNumber;
  const written = isEmptyPlan(plan.toM3)
    ? "nothing to write"
    : `${Object.keys(plan.toM3.fields).join(", ") || "addresses"} written in ${calls} transaction(s)`;
  return {
    outcome: calls ? "done" : "skipped",
    detail: `M3 ${binding.customerNumber}: ${written}${plan.conflicts.length ? `, ${plan.conflicts.length} conflict(s) won by the owner` : ""}`,
    ...(plan.otherSideNeeded || numberMissing
      ? { bigCommerceNeeded: { bigcommerceId: id, customerNumber: binding.customerNumber } }
      : {}),
  };
}

/** customers.onDelete: leave the M3 customer as it is, or set its status; the binding remembers the delete. */
async function deleted(
  key: string,
  binding: CustomerBinding | undefined,
  deps: CustomerDeliverDeps,
): Promise<CustomerDeliverResult> {
  if (!binding || binding.deleted) return { outcome: "skipped", detail: "not linked to an M3 customer" };
  const policy = deps.config.customers.onDelete;
  if (policy.action === "status")
    await deps.m3.get(CRS610MI.ChgBasicData, {
      CONO: deps.config.m3.company,
      CUNO: binding.customerNumber,
      STAT: policy.status,
    });
  const saved = await deps.bindings.save(key, {
    version: binding.version,
    sync: binding.sync ?? emptySync(),
    deleted: true,
  });
  if (saved === "conflict") throw new TransientError(`Another sync of ${key} saved first; retrying`);
  return {
    outcome: "done",
    detail:
      policy.action === "status"
        ? `M3 customer ${binding.customerNumber} set to status ${policy.status}`
        : `M3 customer ${binding.customerNumber} left as it is (customers.onDelete: ignore)`,
  };
}
