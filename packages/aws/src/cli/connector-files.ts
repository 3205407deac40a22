import { resolve } from "node:path";
import {
  GetSecretValueCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  ConfigError,
  type ConnectorConfig,
  legacyWebhookSecret,
  parseConfig,
  parseSecret,
  type Secrets,
} from "@m3bc/core";
import { resourceTags, type SecretName } from "@m3bc/topology";
import { secretInFile } from "../secrets";
import { CliError } from "./errors";
import { readJsonFile } from "./files";
import { readLocalStack, type TargetSelector } from "./target";

/** The config and secrets a command works with, and where each came from (messages name the source). */
export interface ConnectorFiles {
  config: ConnectorConfig;
  /** The config as written, before defaults: which keys the user set. */
  rawConfig: unknown;
  /** The file read, and the file the user edited (they differ for the local stack with simulators). */
  configFile: string;
  configSource: string;
  secrets: Partial<Secrets>;
  /** "secrets.local.json" or "Secrets Manager (stage prod)". */
  secretsSource: string;
  /** How adapters reach the same secrets: a file, or the Secrets Manager ids. */
  secretsFile?: string;
  secretIds?: Partial<Record<SecretName, string>>;
}

export interface FileOptions {
  config?: string;
  secrets?: string;
}

const ALL_SECRETS: readonly SecretName[] = ["bigcommerce", "bigcommerce-webhooks", "m3"];

/**
 * The config and secrets for a command: the files given with --config / --secrets, else the local stack's,
 * else the stage's (config/<stage>.json and its Secrets Manager secrets). Errors name the file and key to fix.
 */
export async function loadConnectorFiles(
  values: FileOptions,
  target: TargetSelector | undefined,
  cwd: string,
  wanted: readonly SecretName[] = ALL_SECRETS,
): Promise<ConnectorFiles> {
  const local = target?.kind === "local" ? readLocalStack(target.dir) : undefined;
  let configFile: string;
  let configSource: string;
  if (values.config) configFile = configSource = resolve(cwd, values.config);
  else if (local) ({ configFile, configSource } = local);
  else if (target?.kind === "stage")
    configFile = configSource = resolve(cwd, "config", `${target.stage}.json`);
  else
    throw new CliError(
      "Which connector config? Give --config FILE (or --local, or --stage <stage>)",
      "e.g. --config config/prod.json --secrets secrets.local.json",
    );
  const rawConfig = readJsonFile(
    configFile,
    "The config file",
    `Copy config/example.json to ${configSource} and fill it in (docs/configuration.md).`,
  );
  const config = parseConfig(rawConfig, configSource);

  const secretsFile = values.secrets ? resolve(cwd, values.secrets) : local?.secretsFile;
  if (secretsFile) {
    const all = readJsonFile(
      secretsFile,
      "The secrets file",
      "Copy secrets.example.json and fill it in.",
    ) as Record<string, unknown>;
    const secrets: Partial<Secrets> = {};
    for (const name of wanted) {
      try {
        // A file from before the webhook secrets had their own key still works (secretInFile reads them as then).
        Object.assign(secrets, { [name]: secretInFile(all ?? {}, name, secretsFile) });
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        throw new CliError(
          `${secretsFile} has no "${name}" key`,
          `Copy the "${name}" part of secrets.example.json into it and fill it in.`,
        );
      }
    }
    return { config, rawConfig, configFile, configSource, secrets, secretsSource: secretsFile, secretsFile };
  }
  if (!wanted.length)
    return { config, rawConfig, configFile, configSource, secrets: {}, secretsSource: "none" };
  if (target?.kind !== "stage")
    throw new CliError(
      "Which secrets? Give --secrets FILE (or --local, or --stage <stage>)",
      "e.g. --secrets secrets.local.json",
    );
  const { secrets, ids } = await stageSecrets(target.stage, target.region, wanted);
  return {
    config,
    rawConfig,
    configFile,
    configSource,
    secrets,
    secretsSource: `Secrets Manager (stage ${target.stage})`,
    secretIds: ids,
  };
}

/** The stage's secrets, found by the tags the stateful stack puts on them. */
async function stageSecrets(stage: string, region: string | undefined, wanted: readonly SecretName[]) {
  const client = new SecretsManagerClient({ region });
  const ids: Partial<Record<SecretName, string>> = {};
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListSecretsCommand({
        NextToken: token,
        Filters: [{ Key: "tag-key", Values: [resourceTags.secret] }],
      }),
    );
    for (const entry of page.SecretList ?? []) {
      const tag = (key: string) => entry.Tags?.find((t) => t.Key === key)?.Value;
      const name = tag(resourceTags.secret) as SecretName | undefined;
      if (name && tag(resourceTags.stage) === stage && entry.ARN) ids[name] = entry.ARN;
    }
    token = page.NextToken;
  } while (token);
  const read = async (name: SecretName, id: string) => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: id }));
    const value = JSON.parse(SecretString ?? "null") as Record<string, unknown> | null;
    if (value && "placeholder" in value)
      throw new CliError(
        `The "${name}" secret of stage ${stage} (${id}) still holds its placeholder`,
        "Upload the real value: docs/deploy.md, step 5.",
      );
    return value;
  };
  const secrets: Partial<Secrets> = {};
  for (const name of wanted) {
    const id = ids[name];
    // A stage deployed before the webhook secrets had their own secret keeps them in the token's.
    const value =
      id !== undefined
        ? await read(name, id)
        : name === "bigcommerce-webhooks" && ids.bigcommerce
          ? legacyWebhookSecret(await read("bigcommerce", ids.bigcommerce))
          : undefined;
    if (value === undefined)
      throw new CliError(
        `Stage ${stage} has no "${name}" secret in ${await client.config.region()}`,
        "Deploy the stage first (docs/deploy.md), or give --secrets FILE.",
      );
    Object.assign(secrets, { [name]: parseSecret(name, value, `the "${name}" secret of stage ${stage}`) });
  }
  return { secrets, ids };
}
