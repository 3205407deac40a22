/**
 * `pnpm check`: a config and its secrets against the live systems, before a deploy (or a `pnpm dev --live`).
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { type CheckLine, enabledFlows } from "@m3bc/flows";
import {
  type CliIo,
  type CommandSpec,
  loadConnectorFiles,
  main,
  openTarget,
  readLocalStack,
  runCommand,
  useForAdapters,
} from "./cli";
import { connectorCheck } from "./operate/check";

const options = {
  url: { type: "string" },
  json: { type: "boolean", default: false },
} satisfies ParseArgsOptionsConfig;

const MARK: Record<CheckLine["status"], string> = { ok: "✓", fail: "✗", warn: "!", info: "·" };

export const checkCommand: CommandSpec<typeof options> = {
  name: "check",
  usage: `pnpm check --config FILE --secrets FILE [--url <webhook URL>] [--json]
pnpm check --stage <stage> [--url <webhook URL>]          config/<stage>.json and the stage's secrets
pnpm check --local                                        the running local stack's config and secrets

  Checks the config and secrets against the live BigCommerce store and M3 tenant, changing nothing, and prints
  a checklist: ✓ right, ✗ wrong (with the fix), ! worth a look, · for information. Exit code 1 on any ✗.

  BigCommerce: the store answers and takes the token; the token's scopes for the enabled flows; currency and
  time zone (against M3's); the order webhooks (registered, active, carrying the secret, posting to --url);
  mapped locations (suggesting locations named like unmapped M3 warehouses); statuses and payment methods
  of the last 50 orders.
  M3: the credentials; every MI transaction the enabled flows call (M3's metadata, MRS001MI); company and
  division; warehouses and facility; customer template; guest customer; shipping item.
  Config: keys that do nothing with the enabled flows.`,
  optionsHelp: `  --url URL          where the order hooks should post (the stage's WebhookUrlOrdersWebhook); without it
                     any destination is accepted
  --json             prints the checklist as JSON`,
  options,
  target: "optional",
  files: true,
  async run({ values, target: selector }, io) {
    const files = await loadConnectorFiles(values, selector, io.cwd);
    const local = selector?.kind === "local" ? readLocalStack(selector.dir) : undefined;
    useForAdapters(selector ? await openTarget(selector) : undefined, files);
    const lines = await connectorCheck(files, { local, webhookUrl: values.url });
    if (values.json) io.out(JSON.stringify(lines, null, 2));
    else print(lines, files.configSource, files.secretsSource, enabledFlows(files.config), io);
    return lines.some((l) => l.status === "fail") ? 1 : 0;
  },
};

function print(lines: CheckLine[], config: string, secrets: string, flows: string[], io: CliIo) {
  io.out(`Checking ${config} with the secrets of ${secrets} (flows: ${flows.join(", ")})`);
  let area = "";
  for (const line of lines) {
    if (line.area !== area) {
      area = line.area;
      io.out(`\n${area}`);
    }
    io.out(`  ${MARK[line.status]} ${line.text}`);
    if (line.fix && line.status !== "ok") io.out(`      fix: ${line.fix}`);
  }
  const count = (status: CheckLine["status"]) => lines.filter((l) => l.status === status).length;
  io.out(`\n${count("ok")} ✓, ${count("fail")} ✗, ${count("warn")} !`);
}

export const runCheck = (argv: string[], io: CliIo) => runCommand(checkCommand, argv, io);

if (import.meta.main) await main(checkCommand);
