import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { CliError, explain } from "./errors";
import { type TargetSelector, targetSelector } from "./target";

/** Where a command writes, and the folder it runs in (tests pass their own). */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  cwd: string;
}

export const stdio = (): CliIo => ({
  out: lineWriter(process.stdout),
  err: lineWriter(process.stderr),
  cwd: process.cwd(),
});

const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes lines to a stream until its reader goes away: `pnpm status | head` closes the pipe after ten lines. Then
 * the rest is dropped quietly, as CLIs do, instead of the process dying of an unhandled EPIPE; the command still
 * finishes its work and exits with its own code.
 */
export function lineWriter(stream: NodeJS.WritableStream & { writable: boolean }): (line: string) => void {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
  // A failed write destroys the stream at once (its error event comes a tick later): no write after that one.
  return (line) => {
    if (stream.writable) stream.write(`${line}\n`);
  };
}

/**
 * The flags every command shares, with one meaning everywhere: where the connector runs (`--local` or
 * `--stage`) and which config and secrets to use. A command declares which of them it takes.
 */
const TARGET_OPTIONS = {
  local: { type: "boolean" },
  stage: { type: "string" },
  region: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

const FILE_OPTIONS = {
  config: { type: "string" },
  secrets: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

const TARGET_HELP = `  --local            the local stack \`pnpm dev\` is running in this folder (found through .local/stack.json)
  --stage NAME       a deployed stage, through your AWS credentials (AWS_PROFILE, AWS_REGION or --region)
  --region REGION    the stage's AWS region, if not your default`;

const FILE_HELP = `  --config FILE      the connector config (default: the local stack's, or config/<stage>.json)
  --secrets FILE     the secrets file, as secrets.example.json (default: the local stack's, or the stage's
                     Secrets Manager secrets)`;

type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O }>>["values"];

export interface Parsed<O extends ParseArgsOptionsConfig> {
  values: Values<O> & {
    local?: boolean;
    stage?: string;
    region?: string;
    config?: string;
    secrets?: string;
  };
  positionals: string[];
  /** Where to work: set when the command takes a target and one was given (required ones are checked). */
  target: TargetSelector | undefined;
}

export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** As typed after `pnpm`, e.g. "replay". */
  name: string;
  /** First lines of --help: synopsis and what the command does. */
  usage: string;
  /** The command's own options, help lines for them (the shared flags are added by `target`/`files`). */
  options: O;
  optionsHelp?: string;
  /** "required": needs --local or --stage; "optional": works with either or none; "none": takes neither. */
  target: "required" | "optional" | "none";
  /** Takes --config and --secrets. */
  files?: boolean;
  /** Help lines for --config and --secrets when the command reads them differently from the operator commands. */
  filesHelp?: string;
  run(parsed: Parsed<O>, io: CliIo): Promise<number>;
}

export function helpText(spec: CommandSpec<ParseArgsOptionsConfig>): string {
  const sections = [
    spec.usage.trimEnd(),
    [
      spec.optionsHelp?.trimEnd(),
      spec.target === "none" ? undefined : TARGET_HELP,
      spec.files ? (spec.filesHelp?.trimEnd() ?? FILE_HELP) : undefined,
      "  --help             this text",
    ]
      .filter(Boolean)
      .join("\n"),
  ];
  return sections.join("\n\n");
}

/**
 * Runs a command the same way for every CLI: parses the shared and own flags, answers --help, checks the target
 * flags, and turns any error into one message with its fix (no stack traces; M3BC_DEBUG=1 shows them).
 * Exit codes: 0 done, 1 the command found or left a problem, 2 usage, config or environment error.
 */
export async function runCommand<O extends ParseArgsOptionsConfig>(
  spec: CommandSpec<O>,
  argv: string[],
  io: CliIo,
): Promise<number> {
  const help = () => helpText(spec as unknown as CommandSpec<ParseArgsOptionsConfig>);
  try {
    const options = {
      ...spec.options,
      ...(spec.target === "none" ? {} : TARGET_OPTIONS),
      ...(spec.files ? FILE_OPTIONS : {}),
      help: { type: "boolean", short: "h" },
    } as ParseArgsOptionsConfig;
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: argv, options, allowPositionals: true, allowNegative: true, strict: true });
    } catch (error) {
      throw new CliError(
        usageProblem(error as Error, options),
        `Run \`pnpm ${spec.name} --help\` for the flags.`,
      );
    }
    if (parsed.values.help) {
      io.out(help());
      return 0;
    }
    const values = parsed.values as Parsed<O>["values"];
    const target =
      spec.target === "none" ? undefined : targetSelector(values, io.cwd, spec.target === "required");
    return await spec.run({ values, positionals: parsed.positionals, target }, io);
  } catch (error) {
    const { message, fix, exitCode } = explain(error);
    io.err(message);
    if (fix) io.err(`  fix: ${fix}`);
    if (process.env.M3BC_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return exitCode;
  }
}

/** node:util's messages name the flag but not the alternatives; add them. */
function usageProblem(error: Error, options: ParseArgsOptionsConfig): string {
  const known = Object.keys(options)
    .map((name) => `--${name}`)
    .join(", ");
  const message = error.message.replace(/\. To specify a positional argument.*$/s, "");
  return /Unknown option/.test(message) ? `${message}. Known flags: ${known}` : message;
}

/** The entry point of a CLI file: `if (import.meta.main) await main(spec)`. */
export async function main<O extends ParseArgsOptionsConfig>(spec: CommandSpec<O>): Promise<void> {
  process.exitCode = await runCommand(spec, process.argv.slice(2), stdio());
}
