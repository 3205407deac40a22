import { readFileSync } from "node:fs";
import { CliError } from "./errors";

/**
 * Reads a JSON file a person wrote. A missing file and a syntax error are CliErrors that name the file, the line
 * and column, and the fix; never a stack trace.
 */
export function readJsonFile(file: string, what: string, fix?: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT") throw new CliError(`${what} ${file} does not exist`, fix);
    if (code === "EISDIR") throw new CliError(`${what} ${file} is a folder, not a file`, fix);
    throw new CliError(`Cannot read ${what} ${file}: ${(error as Error).message}`, fix);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const { line, column } = position(text, (error as Error).message);
    throw new CliError(
      `${file} is not valid JSON${line ? ` (line ${line}, column ${column})` : ""}: ${(error as Error).message.replace(/ \(line \d+ column \d+\)$/, "")}`,
      `Fix the JSON syntax in ${file}: a missing comma or quote, or a trailing comma, is the usual cause.`,
    );
  }
}

/** V8 says "… at position 42" (and newer versions add "(line 3 column 5)"); people count lines. */
function position(text: string, message: string): { line?: number; column?: number } {
  const stated = /line (\d+) column (\d+)/.exec(message);
  if (stated) return { line: Number(stated[1]), column: Number(stated[2]) };
  const at = /position (\d+)/.exec(message);
  if (!at) return {};
  const before = text.slice(0, Number(at[1])).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1 };
}
