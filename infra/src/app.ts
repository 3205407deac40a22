import { fileURLToPath } from "node:url";
import { describedTopology } from "@m3bc/topology";
import { createConnectorApp } from "./connector-app";

// `cdk synth|deploy [-c stage=prod]`: the stage picks config/<stage>.json and names the stacks.
const { app } = createConnectorApp({
  topology: describedTopology(),
  repoRoot: fileURLToPath(new URL("../../", import.meta.url)),
});
app.synth();
