import { main } from "../cli";
import { eraseCommand } from "./erase";

// `pnpm erase-customer ...` (root package.json: "erase-customer": "tsx packages/aws/src/replay/erase-cli.ts").
await main(eraseCommand);
