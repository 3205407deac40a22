import { readFileSync } from "node:fs";
import { type ConnectorConfig, parseConfig } from "@m3bc/core";
import { perRuntime } from "./runtime";

// infra/ validates the config at synth and compiles it, defaults filled in, into each function as JSON text
// (esbuild `define`), so a Lambda reads no file, makes no call and builds no config schema for it. The local
// runtime names the file in CONNECTOR_CONFIG_FILE instead, validated here.
declare const __CONNECTOR_CONFIG__: string | undefined;

// Keep the file branch inside the `typeof` test: esbuild folds the test and then drops the branch and what
// only it imports (core's config schema). Code after an early return would keep those imports.
export const loadConfig = perRuntime(
  (): ConnectorConfig =>
    typeof __CONNECTOR_CONFIG__ === "string"
      ? (JSON.parse(__CONNECTOR_CONFIG__) as ConnectorConfig)
      : parseConfigFile(process.env.CONNECTOR_CONFIG_FILE),
);

function parseConfigFile(file: string | undefined): ConnectorConfig {
  if (!file) throw new Error("CONNECTOR_CONFIG_FILE is not set: point it at config/<stage>.json");
  return parseConfig(JSON.parse(readFileSync(file, "utf8")), file);
}
