import type { ParseArgsOptionsConfig } from "node:util";
import {
  bigCommerceClient,
  customerAttributeIds,
  dynamoCustomerBindings,
  dynamoLedger,
  findCustomerAttributeIds,
  loadConfig,
  m3Client,
  sendAll,
} from "@m3bc/aws";
import {
  CliError,
  type CliIo,
  type CommandSpec,
  loadConnectorFiles,
  main,
  openTarget,
  runCommand,
  useForAdapters,
} from "@m3bc/aws/cli";
import { linkCustomer, linkGuest } from "@m3bc/aws/operate";
import { collect } from "@m3bc/bigcommerce";
import { customerKey, newEnvelope } from "@m3bc/core";
import {
  applyBackfill,
  type BackfillBigCommerce,
  type BackfillPlan,
  boundCustomers,
  CUSTOMERS_PER_UPDATE,
  customerOfBigCommerce,
  m3NumberOf,
  planBackfill,
} from "@m3bc/flows";
import { CRS610MI } from "@m3bc/m3";

const options = {
  "dry-run": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  show: { type: "string", default: "20" },
} satisfies ParseArgsOptionsConfig;

export const customersCommand: CommandSpec<typeof options> = {
  name: "customers",
  usage: `pnpm customers <command> (--local | --stage <stage> | --config FILE --secrets FILE)

  link <bcId> <CUNO>   link a BigCommerce customer to an M3 customer (the fix of CUSTOMER_LINK_REVIEW)
  link <bcId> new      link it to a new M3 customer, created now from its BigCommerce record
  link <e-mail> <CUNO> link a guest's e-mail to an M3 customer (guests per e-mail; CUSTOMER_LINK_REVIEW of an order)
  show <bcId>          its binding: M3 number, how it was linked, last sync, conflicts kept
  backfill             match existing customers on both sides and link them (a go-live); then queue their first
                       sync, and the BigCommerce customers M3 lacks for creation

  The bindings live in the target's ledger and backfill queues work on its queues: give --local or --stage.`,
  optionsHelp: `  --dry-run          backfill: only print the table, link and queue nothing
  --json             backfill: print the plan as JSON
  --show N           backfill: how many conflicts and reviews to list (default 20)`,
  options,
  target: "required",
  files: true,
  async run({ values, positionals, target: selector }, io) {
    const [command, ...args] = positionals;
    const target = await openTarget(selector!);
    useForAdapters(target, await loadConnectorFiles(values, selector, io.cwd));
    if (command === "link" && args.length === 2) return link(args[0]!, args[1]!, io);
    if (command === "show" && args.length === 1) return show(args[0]!, io);
    if (command === "backfill" && !args.length)
      return backfill({ dryRun: values["dry-run"], show: Number(values.show), json: values.json }, io);
    throw new CliError(
      command ? `Unknown command "${positionals.join(" ")}"` : "Name a command: link, show or backfill",
      "Run `pnpm customers --help`.",
    );
  },
};

/** `pnpm customers …`; returns the exit code: 0 done, 1 not linked, 2 usage or environment error. */
export const runCustomers = (argv: string[], io: CliIo) => runCommand(customersCommand, argv, io);

const bigcommerceId = (text: string) => {
  if (!/^\d+$/.test(text))
    throw new CliError(`"${text}" is not a BigCommerce customer id`, "Give the customer's id, e.g. 42.");
  return Number(text);
};

async function link(idText: string, number: string, io: CliIo): Promise<number> {
  if (idText.includes("@")) return linkGuestEmail(idText, number, io);
  const id = bigcommerceId(idText);
  const result = await linkCustomer(id, number);
  io.out(
    `BigCommerce customer ${id} → M3 customer ${result.customerNumber}${result.origin === "created" ? " (created)" : ""}. ` +
      "Replay what was parked for it: pnpm replay parked --reason CUSTOMER_LINK_REVIEW",
  );
  return 0;
}

async function linkGuestEmail(email: string, number: string, io: CliIo): Promise<number> {
  if (number === "new")
    throw new CliError(
      "A guest has no BigCommerce record to create an M3 customer from",
      `Create the customer in M3, then run \`pnpm customers link ${email} <CUNO>\`.`,
    );
  const result = await linkGuest(email, number);
  io.out(
    `Guest ${email} → M3 customer ${result.customerNumber}. ` +
      "Replay what was parked for it: pnpm replay parked --reason CUSTOMER_LINK_REVIEW",
  );
  return 0;
}

async function show(idText: string, io: CliIo): Promise<number> {
  const config = loadConfig();
  const key = customerKey(config.bigcommerce.storeHash, bigcommerceId(idText));
  const binding = (await dynamoCustomerBindings.get([key])).get(key);
  if (!binding) {
    io.out(`BigCommerce customer ${idText} is not linked to an M3 customer`);
    return 1;
  }
  io.out(
    JSON.stringify(
      {
        bigcommerceId: binding.bigcommerceId,
        customerNumber: binding.customerNumber,
        origin: binding.origin,
        deleted: binding.deleted ?? false,
        synced: binding.sync ? Object.keys(binding.sync.fields) : "not yet",
        addresses: binding.sync?.addresses ?? {},
        writesInLastHour: binding.sync?.writes.filter((t) => t > Date.now() - 3_600_000).length ?? 0,
        conflicts: binding.sync?.history ?? [],
      },
      null,
      2,
    ),
  );
  return 0;
}

async function backfill(options: { dryRun: boolean; show: number; json: boolean }, io: CliIo) {
  const config = loadConfig();
  const bigcommerce = await bigCommerceClient();
  const m3 = await m3Client();
  // A dry run creates nothing, not even the attributes.
  const attributeIds = options.dryRun
    ? await findCustomerAttributeIds({ create: false })
    : await customerAttributeIds()();
  io.err("… reading BigCommerce customers");
  const bc: BackfillBigCommerce[] = (
    await collect(bigcommerce.iterateCustomers({ include: ["addresses", "attributes"] }))
  ).map((customer) => ({
    id: customer.id,
    customer: customerOfBigCommerce(customer, config.customers, attributeIds),
    ...(m3NumberOf(customer, attributeIds) ? { m3Number: m3NumberOf(customer, attributeIds)! } : {}),
  }));
  io.err(`… ${bc.length} read; reading M3 customers`);
  const rows = (
    await collect(
      m3.pages(CRS610MI.LstByNumber, {
        start: { CONO: config.m3.company },
        pageSize: 1000,
        keyOf: (row) => row.CUNO,
        startAt: (CUNO) => ({ CONO: config.m3.company, CUNO }),
      }),
    )
  ).flat();
  io.err(`… ${rows.length} read; matching`);
  const plan = planBackfill({
    config,
    bigcommerce: bc,
    m3: rows,
    bound: await boundCustomers(
      config,
      dynamoCustomerBindings,
      bc.map((c) => c.id),
      rows.map((r) => r.CUNO),
    ),
  });
  if (options.json) io.out(JSON.stringify(plan, null, 2));
  else printPlan(plan, options.show, io);
  if (options.dryRun) return 0;

  const { linked, taken } = await applyBackfill(plan, { config, ledger: dynamoLedger });
  // The first sync of each new pair runs through the pipeline: customers-update reads both sides, applies the
  // ownership, and hands M3's part to customers-deliver; BigCommerce customers M3 lacks go to customers-deliver.
  const pairs = linked.map((l) => ({ customerNumber: l.customerNumber, bigcommerceId: l.bigcommerceId }));
  const updates = [];
  for (let i = 0; i < pairs.length; i += CUSTOMERS_PER_UPDATE)
    updates.push(
      newEnvelope({
        flow: "customers",
        kind: "customers.backfill",
        key: `customers:backfill:${i / CUSTOMERS_PER_UPDATE + 1}`,
        payload: { customers: pairs.slice(i, i + CUSTOMERS_PER_UPDATE) },
      }),
    );
  await sendAll("customer-updates", updates);
  const creates = plan.createInM3.map((id) =>
    newEnvelope({
      flow: "customers",
      kind: "customer.backfill",
      key: customerKey(config.bigcommerce.storeHash, id),
      payload: { bigcommerceId: id, deleted: false },
    }),
  );
  await sendAll("customer-deliveries", creates);
  io.out(
    `linked ${linked.length}${taken.length ? ` (${taken.length} were linked meanwhile by the sync)` : ""}; ` +
      `queued ${pairs.length} first syncs in ${updates.length} messages and ${creates.length} creations in M3`,
  );
  return 0;
}

function printPlan(plan: BackfillPlan, show: number, io: CliIo) {
  const origins = Map.groupBy(plan.links, (l) => l.origin);
  const conflicts = plan.links.filter((l) => l.differs.length);
  const row = (label: string, value: number, note = "") =>
    io.out(`  ${label.padEnd(26)} ${String(value).padStart(8)}${note ? `   ${note}` : ""}`);
  io.out(`BigCommerce customers ${String(plan.bigcommerceCustomers).padStart(13)}`);
  row("linked already", plan.linkedAlready);
  row(
    "linked",
    plan.links.length,
    [...origins].map(([origin, links]) => `${origin} ${links.length}`).join(", "),
  );
  row("conflicts", conflicts.length, "owned fields differ: the owner's value wins at the first sync");
  row("link review", plan.review.length, "decide with pnpm customers link <bcId> <CUNO|new>");
  row("would create in M3", plan.createInM3.length);
  io.out(`M3 customers ${String(plan.m3Customers).padStart(22)}`);
  row("would create in BigCommerce", plan.createInBigCommerce.length, "customers.createInBigCommerce");
  for (const c of conflicts.slice(0, show))
    io.out(
      `  conflict: BigCommerce ${c.bigcommerceId} ↔ M3 ${c.customerNumber}: ${c.differs.map((d) => `${d.field} (${d.winner} wins)`).join(", ")}`,
    );
  for (const r of plan.review.slice(0, show))
    io.out(
      `  review: BigCommerce ${r.bigcommerceId} ↔ ${r.candidates.map((c) => `M3 ${c.customerNumber} (type ${c.type})`).join(", ")}: ${r.why}`,
    );
}

if (import.meta.main) await main(customersCommand);
