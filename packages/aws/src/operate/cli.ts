import { runCommand, stdio } from "../cli";
import { pauseCommand, resumeCommand, statusCommand, traceCommand } from "./commands";

// `pnpm status|trace|pause|resume ...` (root package.json: "status": "tsx packages/aws/src/operate/cli.ts status").
const commands = { status: statusCommand, trace: traceCommand, pause: pauseCommand, resume: resumeCommand };
const [name, ...argv] = process.argv.slice(2);
const command = commands[name as keyof typeof commands];
if (!command) throw new Error(`operate/cli.ts: unknown command "${name}"; the root package.json names it`);
process.exitCode = await runCommand(command as never, argv, stdio());
