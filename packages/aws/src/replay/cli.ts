import { main } from "../cli";
import { replayCommand } from "./commands";

// `pnpm replay ...` (root package.json: "replay": "tsx packages/aws/src/replay/cli.ts").
await main(replayCommand);
