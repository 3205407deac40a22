import { fileURLToPath } from "node:url";
import { topology } from "@m3bc/topology";
import { createConnectorApp } from "./connector-app";

// `cdk synth|deploy [-c stage=prod]`: the stage picks config/<stage>.json and names the stacks.
const { app } = createConnectorApp({ topology, repoRoot: fileURLToPath(new URL("../../", import.meta.url)) });
app.synth();
