/** The operator console (`pnpm console`): a local web app over the operator tools of @m3bc/aws/operate. */
export { consoleCommand } from "./cli";
export { type RunningConsole, startConsole } from "./server";
