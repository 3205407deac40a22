import { readFileSync } from "node:fs";
import { type ConnectorConfig, parseConfig } from "@m3bc/core";
import { perRuntime } from "./runtime";

// infra/ bundles the validated config into each function (esbuild `define`), so a Lambda reads no file and
// makes no call for it; the local runtime names the file in CONNECTOR_CONFIG_FILE instead.
declare const __CONNECTOR_CONFIG__: unknown;

export const loadConfig = perRuntime((): ConnectorConfig => {
  if (typeof __CONNECTOR_CONFIG__ !== "undefined")
    return parseConfig(__CONNECTOR_CONFIG__, "bundled connector config");
  const file = process.env.CONNECTOR_CONFIG_FILE;
  if (!file) throw new Error("CONNECTOR_CONFIG_FILE is not set: point it at config/<stage>.json");
  return parseConfig(JSON.parse(readFileSync(file, "utf8")), file);
});
