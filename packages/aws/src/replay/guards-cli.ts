import { main } from "../cli";
import { guardsCommand } from "./guards";

// `pnpm guards ...` (root package.json: "guards": "tsx packages/aws/src/replay/guards-cli.ts").
await main(guardsCommand);
