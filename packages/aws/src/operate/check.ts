import { type CheckLine, checkConnector } from "@m3bc/flows";
import type { ConnectorFiles, LocalStackFile } from "../cli";
import { bigCommerceClient, m3Client } from "../clients";

/**
 * `pnpm check`'s checklist for a config and its secrets, through the adapters' clients (useForAdapters first). The
 * console runs it too, on the config being edited.
 */
export async function connectorCheck(
  files: Pick<ConnectorFiles, "config" | "rawConfig" | "configSource" | "secretsSource" | "secrets">,
  options: { local?: LocalStackFile; webhookUrl?: string } = {},
): Promise<CheckLine[]> {
  return checkConnector({
    config: files.config,
    rawConfig: files.rawConfig,
    configSource: files.configSource,
    secretsSource: files.secretsSource,
    bigcommerce: await bigCommerceClient(),
    m3: await m3Client(),
    webhookSecret: files.secrets["bigcommerce-webhooks"]!.webhookSecret,
    webhookUrl: options.webhookUrl ?? options.local?.webhookUrl,
    polling: options.local?.mode === "live",
  });
}
