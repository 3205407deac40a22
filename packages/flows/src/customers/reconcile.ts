import { type ConnectorConfig, type CustomerAddress, type CustomerMaster, PersistentError } from "@m3bc/core";
import {
  type CustomerSync,
  emptySync,
  type FieldHashes,
  HISTORY_KEPT,
  type HistoryEntry,
  otherSide,
  type Side,
} from "./binding";
import {
  activeFields,
  addressAsStoredBy,
  addressContent,
  asStoredBy,
  digest,
  fieldValue,
  type PostalPart,
  postalPart,
  type ScalarField,
  sameValue,
  UNREPRESENTABLE,
} from "./fields";
import { adidOf, m3AddressKey } from "./m3-customer";

type CustomersConfig = ConnectorConfig["customers"];

/** One linked pair as both systems hold it now, with what the connector last synced. */
export interface PairState {
  bigcommerceId: number;
  customerNumber: string;
  sync: CustomerSync | undefined;
  /** Addresses keyed `bc:<address id>`. */
  bigcommerce: CustomerMaster;
  /** Addresses keyed `m3:<ADRT>:<ADID>`. */
  m3: CustomerMaster;
  /** The M3 customer's own address (basic data), when known: not written again when it holds the value. */
  m3BasicAddress?: PostalPart;
}

export interface M3AddressRef {
  adrt: number;
  adid: string;
}

/** What to write to each side (canonical values; the executors turn them into calls) and the state after. */
export interface SyncPlan {
  toM3: {
    fields: Partial<Record<ScalarField, unknown>>;
    /** The first BigCommerce address, for the M3 customer's own address (basic data). */
    basicAddress?: CustomerAddress;
    addAddresses: Array<M3AddressRef & { address: CustomerAddress }>;
    changeAddresses: Array<M3AddressRef & { address: CustomerAddress }>;
    deleteAddresses: M3AddressRef[];
  };
  toBigCommerce: {
    fields: Partial<Record<ScalarField, unknown>>;
    /** M3 addresses BigCommerce lacks: the executor pairs each with the id BigCommerce gives it. */
    addAddresses: Array<{ m3Key: string; address: CustomerAddress; m3Hash: string }>;
    changeAddresses: Array<{ id: number; address: CustomerAddress }>;
    deleteAddresses: number[];
  };
  /** The sync state to save once the writes succeeded. */
  sync: CustomerSync;
  conflicts: HistoryEntry[];
  /** The other side needs writes too, which its own writer makes (reconciling the pair again). */
  otherSideNeeded: boolean;
}

export const isEmptyPlan = (side: SyncPlan["toM3"] | SyncPlan["toBigCommerce"]) =>
  Object.keys(side.fields).length === 0 &&
  !("basicAddress" in side && side.basicAddress) &&
  side.addAddresses.length === 0 &&
  side.changeAddresses.length === 0 &&
  side.deleteAddresses.length === 0;

/** Which ways the config lets the connector write (customers.sync). */
export function directions(config: CustomersConfig): Record<Side, boolean> {
  return {
    m3: config.sync === "both" || config.sync === "bigcommerce-to-m3",
    bigcommerce: config.sync === "both" || config.sync === "m3-to-bigcommerce",
  };
}

const HOUR_MS = 3_600_000;

/**
 * Which side's value a field takes: the owner's when both changed since the last sync (a conflict) or when
 * neither changed before (a first sync); the changed side's when only one changed and it owns the field or the
 * field is two-way; otherwise the owner's again, so a change on the side that does not own a one-way field is put
 * back.
 */
function winner(bcChanged: boolean, m3Changed: boolean, own: { owner: Side; twoWay: boolean }): Side {
  if (bcChanged === m3Changed) return own.owner;
  const changed: Side = bcChanged ? "bigcommerce" : "m3";
  return changed === own.owner || own.twoWay ? changed : own.owner;
}

/**
 * The pure heart of the customer sync: compares both sides field by field with what was last synced and decides,
 * by ownership, what each side must be told. Only changed fields go anywhere; a side that already holds the value
 * (the echo of the connector's own write) gets nothing; both sides changing a field is a conflict the owner wins,
 * with the losing value kept in the history. A customer written too often in the last hour is parked instead
 * (the loop breaker).
 */
export function reconcileCustomer(
  pair: PairState,
  config: CustomersConfig,
  options: { now?: number; writes?: Side } = {},
): SyncPlan {
  const now = options.now ?? Date.now();
  const what = `BigCommerce customer ${pair.bigcommerceId} (M3 ${pair.customerNumber})`;
  const last = pair.sync ?? emptySync();
  const configured = directions(config);
  // Each side has one writer (customers-deliver writes M3, customers-update BigCommerce): a writer plans only its
  // side and says when the other needs work, so that its writer reconciles the pair too.
  const allowed = options.writes
    ? {
        m3: configured.m3 && options.writes === "m3",
        bigcommerce: configured.bigcommerce && options.writes === "bigcommerce",
      }
    : configured;
  let otherSideNeeded = false;
  const blocked = (target: Side) => {
    if (configured[target]) otherSideNeeded = true;
  };
  const plan: SyncPlan = {
    toM3: { fields: {}, addAddresses: [], changeAddresses: [], deleteAddresses: [] },
    toBigCommerce: { fields: {}, addAddresses: [], changeAddresses: [], deleteAddresses: [] },
    sync: { ...last, fields: { ...last.fields }, addresses: {}, history: [...last.history] },
    conflicts: [],
    otherSideNeeded: false,
  };
  const at = new Date(now).toISOString();
  const values = { bigcommerce: pair.bigcommerce, m3: pair.m3 };

  for (const field of activeFields(config)) {
    const current = {
      bigcommerce: fieldValue(values.bigcommerce, field),
      m3: fieldValue(values.m3, field),
    };
    const hashes: Required<FieldHashes> = {
      bigcommerce: digest(current.bigcommerce),
      m3: digest(current.m3),
    };
    const before = last.fields[field] ?? {};
    const bcChanged = before.bigcommerce !== hashes.bigcommerce;
    const m3Changed = before.m3 !== hashes.m3;
    if (!bcChanged && !m3Changed) continue;
    const source = winner(bcChanged, m3Changed, config.fields[field]);
    const target = otherSide(source);
    const stored = asStoredBy(target, field, current[source], config, what);
    const holds = target === "bigcommerce" ? bigCommerceHolds(field, current.bigcommerce) : current.m3;
    if (stored === UNREPRESENTABLE || sameValue(stored, holds)) {
      plan.sync.fields[field] = hashes;
      continue;
    }
    // The change waits (hashes kept) for the side's writer, or while the config does not write that way.
    if (!allowed[target]) {
      blocked(target);
      continue;
    }
    (target === "m3" ? plan.toM3 : plan.toBigCommerce).fields[field] = current[source];
    plan.sync.fields[field] = { [source]: hashes[source], [target]: digest(stored) };
    // A conflict is both sides changing the field since the last sync; a first sync has no "since".
    if (bcChanged && m3Changed && before.bigcommerce !== undefined && before.m3 !== undefined)
      plan.conflicts.push({ at, field, winner: source, lost: { side: target, value: current[target] } });
  }

  reconcileAddresses(pair, config, plan, { allowed, what, at, blocked });

  const first = firstAddress(pair.bigcommerce, plan);
  const own = config.fields.addresses;
  if (first && allowed.m3 && (own.owner === "bigcommerce" || own.twoWay)) {
    const stored = addressAsStoredBy("m3", first, config, what);
    const hash = digest(stored);
    if (hash !== last.basicAddress) {
      if (!pair.m3BasicAddress || !sameValue(postalPart(stored), pair.m3BasicAddress))
        plan.toM3.basicAddress = first;
      plan.sync.basicAddress = hash;
    }
  }

  const writes = (isEmptyPlan(plan.toM3) ? 0 : 1) + (isEmptyPlan(plan.toBigCommerce) ? 0 : 1);
  const recent = last.writes.filter((t) => t > now - HOUR_MS);
  if (writes && recent.length + writes > config.maxWritesPerHour)
    throw new PersistentError(
      "CUSTOMER_SYNC_LOOP",
      `${what} was written ${recent.length} times in the last hour (customers.maxWritesPerHour is ${config.maxWritesPerHour}); parked instead of written again`,
      {
        details: {
          bigcommerceId: pair.bigcommerceId,
          customerNumber: pair.customerNumber,
          writesInLastHour: recent.length,
          wouldWrite: {
            m3: Object.keys(plan.toM3.fields),
            bigcommerce: Object.keys(plan.toBigCommerce.fields),
          },
        },
      },
    );
  plan.sync.writes = [...recent, ...Array<number>(writes).fill(now)];
  plan.sync.history = [...plan.sync.history, ...plan.conflicts].slice(-HISTORY_KEPT);
  plan.otherSideNeeded = otherSideNeeded;
  return plan;
}

/** BigCommerce's value as the connector would write it (text trimmed), for "does it hold this already". */
const bigCommerceHolds = (field: ScalarField, value: unknown) =>
  field === "group" || field === "credit" ? value : asTrimmed(value);

const asTrimmed = (value: unknown): unknown =>
  typeof value === "string"
    ? value.trim()
    : value && typeof value === "object"
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asTrimmed(v)]))
      : value;

const bcAddressId = (address: CustomerAddress) => Number(address.key.slice("bc:".length));

/** The BigCommerce address M3's own customer address follows: the oldest one that stays. */
function firstAddress(customer: CustomerMaster, plan: SyncPlan): CustomerAddress | undefined {
  const deleted = new Set(plan.toBigCommerce.deleteAddresses);
  return [...customer.addresses]
    .filter((a) => !deleted.has(bcAddressId(a)))
    .sort((a, b) => bcAddressId(a) - bcAddressId(b))[0];
}

const refOf = (m3Key: string): M3AddressRef => {
  const [, adrt, adid] = m3Key.split(":");
  return { adrt: Number(adrt), adid: adid! };
};

/**
 * Addresses: pairs recorded in the binding (BigCommerce address id ↔ M3 ADRT/ADID) are compared like fields, a
 * deletion being a change too; an address only one side has is added to the other when the ownership allows it,
 * after trying to pair it with an identical unpaired address on the other side.
 */
function reconcileAddresses(
  pair: PairState,
  config: CustomersConfig,
  plan: SyncPlan,
  context: { allowed: Record<Side, boolean>; what: string; at: string; blocked: (target: Side) => void },
) {
  const { allowed, what, at, blocked } = context;
  const own = config.fields.addresses;
  const bcById = new Map(pair.bigcommerce.addresses.map((a) => [String(bcAddressId(a)), a]));
  const m3ByKey = new Map(pair.m3.addresses.map((a) => [a.key, a]));
  const previous = pair.sync?.addresses ?? {};
  const pairedM3 = new Set<string>();
  const stored = (side: Side, address: CustomerAddress) =>
    addressAsStoredBy(side, address, config, `${what}, address ${address.key}`);

  const comparePair = (bcId: string, m3Key: string, before: FieldHashes) => {
    const b = bcById.get(bcId);
    const m = m3ByKey.get(m3Key);
    pairedM3.add(m3Key);
    if (!b && !m) return;
    const hashes = {
      bigcommerce: b ? digest(addressContent(b)) : "deleted",
      m3: m ? digest(addressContent(m)) : "deleted",
    };
    const bcChanged = before.bigcommerce !== hashes.bigcommerce;
    const m3Changed = before.m3 !== hashes.m3;
    if (!bcChanged && !m3Changed) {
      if (b) plan.sync.addresses[bcId] = { m3: m3Key, hashes: before };
      return;
    }
    const source = winner(bcChanged, m3Changed, own);
    const target = otherSide(source);
    const from = source === "bigcommerce" ? b : m;
    const to = source === "bigcommerce" ? m : b;
    const keep = (hashesAfter: FieldHashes) => {
      if (b || from) plan.sync.addresses[bcId] = { m3: m3Key, hashes: hashesAfter };
    };
    if (!allowed[target]) {
      blocked(target);
      if (b) plan.sync.addresses[bcId] = { m3: m3Key, hashes: before };
      return;
    }
    const sinceSync = before.bigcommerce !== undefined && before.m3 !== undefined;
    if (
      sinceSync &&
      bcChanged &&
      m3Changed &&
      to &&
      (!from || !sameValue(stored(target, from), stored(target, to)))
    )
      plan.conflicts.push({
        at,
        field: "addresses",
        address: bcId,
        winner: source,
        lost: { side: target, value: addressContent(to) },
      });
    if (!from) {
      // The winning side deleted it: delete it on the other side too.
      if (target === "m3") plan.toM3.deleteAddresses.push(refOf(m3Key));
      else plan.toBigCommerce.deleteAddresses.push(Number(bcId));
      return;
    }
    const after = stored(target, from);
    if (target === "m3") {
      if (!m) plan.toM3.addAddresses.push({ ...refOf(m3Key), address: from });
      else if (!sameValue(after, addressContent(m)))
        plan.toM3.changeAddresses.push({ ...refOf(m3Key), address: from });
      keep({ bigcommerce: hashes.bigcommerce, m3: digest(after) });
    } else if (!b) {
      // BigCommerce deleted an address M3 wins back: added again under a new id, paired by the executor.
      plan.toBigCommerce.addAddresses.push({ m3Key, address: from, m3Hash: hashes.m3 });
    } else {
      if (!sameValue(after, stored("bigcommerce", b)))
        plan.toBigCommerce.changeAddresses.push({ id: Number(bcId), address: from });
      keep({ bigcommerce: digest(after), m3: hashes.m3 });
    }
  };

  for (const [bcId, { m3, hashes }] of Object.entries(previous)) comparePair(bcId, m3, hashes);

  const unpairedM3 = () => [...m3ByKey.values()].filter((m) => !pairedM3.has(m.key));
  for (const b of pair.bigcommerce.addresses) {
    const bcId = String(bcAddressId(b));
    if (previous[bcId]) continue;
    const ownKey = m3AddressKey(config.addressType, adidOf(Number(bcId)));
    // A crash may have left the address in M3 under its own number, or M3 may hold the same address already.
    const same =
      m3ByKey.has(ownKey) && !pairedM3.has(ownKey)
        ? ownKey
        : unpairedM3().find((m) => sameValue(stored("m3", b), addressContent(m)))?.key;
    if (same) {
      comparePair(bcId, same, {});
      continue;
    }
    if (own.owner === "bigcommerce" || own.twoWay) {
      if (!allowed.m3) {
        blocked("m3");
        continue;
      }
      pairedM3.add(ownKey);
      plan.toM3.addAddresses.push({ ...refOf(ownKey), address: b });
      plan.sync.addresses[bcId] = {
        m3: ownKey,
        hashes: { bigcommerce: digest(addressContent(b)), m3: digest(stored("m3", b)) },
      };
    }
  }
  const unpaired = unpairedM3();
  if (unpaired.length && (own.owner === "m3" || own.twoWay)) {
    if (!allowed.bigcommerce) blocked("bigcommerce");
    else
      for (const m of unpaired)
        plan.toBigCommerce.addAddresses.push({ m3Key: m.key, address: m, m3Hash: digest(addressContent(m)) });
  }
}
