import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ConnectorConfig, parseConfig } from "@m3bc/core";

/** The stage used when none is given: the checked-in example config, so `pnpm synth` works on a fresh clone. */
export const DEFAULT_STAGE = "example";

const STAGE = /^[a-z][a-z0-9-]{0,19}$/;

/** A stage names one deployment; it only appears in stack names, so two stages deploy side by side. */
export function checkStage(stage: string): string {
  if (!STAGE.test(stage))
    throw new Error(
      `Stage "${stage}" is invalid: use 1-20 lower-case letters, digits or "-", starting with a letter (e.g. -c stage=prod)`,
    );
  return stage;
}

// The stack names are a convention `pnpm replay --stage` relies on, so they are declared beside its tags.
export { stackNames } from "@m3bc/topology";

/** Reads and validates config/<stage>.json; a bad file fails the synth with the ConfigError naming each bad key. */
export function loadStageConfig(repoRoot: string, stage: string): ConnectorConfig {
  const file = join(repoRoot, "config", `${stage}.json`);
  if (!existsSync(file))
    throw new Error(`config/${stage}.json does not exist: copy config/example.json to it and fill it in`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`config/${stage}.json is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(json, `config/${stage}.json`);
}
