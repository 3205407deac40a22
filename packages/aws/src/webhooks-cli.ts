/**
 * `pnpm webhooks`: registers the connector's order webhooks on the store (idempotent: creates missing hooks,
 * reactivates hooks BigCommerce deactivated, updates the secret header), or lists them. It needs the API token
 * (the bigcommerce secret) and, to register, the webhook secret (the bigcommerce-webhooks secret).
 */
import type { ParseArgsOptionsConfig } from "node:util";
import { BigCommerceClient } from "@m3bc/bigcommerce";
import {
  FINANCE_SCOPES,
  ORDER_SCOPES,
  RETURN_SCOPES,
  registerOrderWebhooks,
  webhookScopes,
} from "@m3bc/flows";
import { CliError, type CommandSpec, loadConnectorFiles, main, readLocalStack } from "./cli";

const options = { url: { type: "string" } } satisfies ParseArgsOptionsConfig;

export const webhooksCommand: CommandSpec<typeof options> = {
  name: "webhooks",
  usage: `pnpm webhooks register --url <webhook URL> (--stage <stage> | --config FILE --secrets FILE)
pnpm webhooks register --local
pnpm webhooks list (--local | --stage <stage> | --config FILE --secrets FILE)

  register  makes sure one active hook per order scope (${ORDER_SCOPES.join(", ")}; with customers.sync sending
            BigCommerce's changes to M3, the store/customer/* scopes too) posts to the URL with
            the webhook secret header: creates missing hooks, reactivates deactivated ones, updates the header.
            Safe to run again (after every deploy, after rotating webhookSecret). With returns.fromBigCommerce
            (the default), the refund scope too (${RETURN_SCOPES.join(", ")}); with finance.enabled, the
            transaction scopes (${FINANCE_SCOPES.join(", ")}).
  list      shows the order hooks of the API account; exit code 1 if one is inactive.`,
  optionsHelp: `  --url URL          where BigCommerce posts: the stage's WebhookUrlOrdersWebhook output (https, port 443);
                     with --local, the local stack's endpoint`,
  options,
  target: "optional",
  files: true,
  async run({ values, positionals, target }, io) {
    const [command, ...extra] = positionals;
    if ((command !== "register" && command !== "list") || extra.length)
      throw new CliError(
        command ? `Unknown command "${positionals.join(" ")}"` : "Name a command: register or list",
        "Run `pnpm webhooks --help`.",
      );
    // The API token always; the webhook secret (its own secret) only to register.
    const wanted =
      command === "register"
        ? (["bigcommerce", "bigcommerce-webhooks"] as const)
        : (["bigcommerce"] as const);
    const files = await loadConnectorFiles(values, target, io.cwd, wanted);
    const { config } = files;
    const bigcommerce = new BigCommerceClient({
      storeHash: config.bigcommerce.storeHash,
      accessToken: files.secrets.bigcommerce!.accessToken,
      baseUrl: config.bigcommerce.apiBaseUrl,
    });
    if (command === "register") {
      const url =
        values.url ?? (target?.kind === "local" ? readLocalStack(target.dir).webhookUrl : undefined);
      if (!url)
        throw new CliError(
          "register needs --url <webhook URL>",
          "The stage's stack output WebhookUrlOrdersWebhook (aws cloudformation describe-stacks --stack-name m3bc-<stage>-stateless).",
        );
      for (const hook of await registerOrderWebhooks(
        bigcommerce,
        url,
        config,
        files.secrets["bigcommerce-webhooks"]!,
      ))
        io.out(`${hook.scope.padEnd(28)} hook ${hook.id}: ${hook.action}`);
      return 0;
    }
    const scopes: readonly string[] = webhookScopes(config);
    const hooks = (await bigcommerce.listWebhooks()).filter((h) => scopes.includes(h.scope));
    for (const hook of hooks)
      io.out(
        `${hook.scope.padEnd(28)} hook ${hook.id} ${hook.is_active ? "active  " : "INACTIVE"} → ${hook.destination}`,
      );
    if (!hooks.length) io.out("No order hooks: run `pnpm webhooks register --url …`.");
    return hooks.every((h) => h.is_active) ? 0 : 1;
  },
};

if (import.meta.main) await main(webhooksCommand);
