import { readFileSync } from "node:fs";
import { SourceMap, type SourceMapping } from "node:module";
import { fileURLToPath } from "node:url";

type Frame = NodeJS.CallSite;
type Format = (error: Error, frames: Frame[]) => unknown;

/**
 * Makes the stack traces of a deployed bundle name the TypeScript file, line and column of each of its frames, as
 * `--enable-source-maps` did, but reads and parses the bundle's source map (`<bundle>.map`, beside it) the first
 * time a stack that holds one of its frames is formatted, not at every cold start (about 25 ms of CPU,
 * docs/benchmarks.md). Powertools' logger and the Lambda runtime both log `error.stack`, which this formats.
 * Frames of other files keep V8's format; `Error.stackTraceLimit` still decides how many there are. When Node maps
 * stacks itself (`--enable-source-maps`), or anything here fails, Node's own formatting is used.
 */
export function mapStackTraces(bundle: string): void {
  const nodeFormat = Error.prepareStackTrace as Format | undefined;
  const fallback: Format = (error, frames) =>
    nodeFormat ? nodeFormat(error, frames) : [String(error), ...frames].join("\n    at ");
  // undefined: not read yet; null: no map, or an unreadable one (read once, not at every error).
  let map: SourceMap | null | undefined;
  const sources = new Map<string, string>();
  const mapUrl = `${bundle}.map`;

  const entryAt = (line: number | null, column: number | null): Partial<SourceMapping & { name: string }> =>
    map && line && column ? map.findEntry(line - 1, column - 1) : {};
  const sourcePath = (source: string) => {
    let path = sources.get(source);
    if (path === undefined) {
      const url = new URL(source, mapUrl);
      path = url.protocol === "file:" ? fileURLToPath(url) : url.href;
      sources.set(source, path);
    }
    return path;
  };

  const original = (frame: Frame, caller: Frame | undefined): string => {
    const entry =
      frame.getFileName() === bundle ? entryAt(frame.getLineNumber(), frame.getColumnNumber()) : {};
    const { originalSource: source, originalLine: line, originalColumn: column } = entry;
    if (source === undefined || line === undefined || column === undefined) return String(frame);
    const location = `${sourcePath(source)}:${line + 1}:${column + 1}`;
    // The minifier renamed functions: the map names the source's function at the call that entered it (the
    // caller's frame), when that call is in the bundle too.
    const call =
      caller?.getFileName() === bundle ? entryAt(caller.getLineNumber(), caller.getColumnNumber()) : {};
    const type = frame.getTypeName();
    const own = frame.getFunctionName() ?? frame.getMethodName();
    const name = call.name || (own && `${type && type !== "global" ? `${type}.` : ""}${own}`);
    const kind = frame.isAsync() ? "async " : frame.isConstructor() ? "new " : "";
    return name ? `${kind}${name} (${location})` : `${kind}${location}`;
  };

  Error.prepareStackTrace = (error, frames) => {
    try {
      if (!process.sourceMapsEnabled && frames.some((frame) => frame.getFileName() === bundle)) {
        if (map === undefined) map = readMap(mapUrl);
        if (map)
          return [fallback(error, []), ...frames.map((frame, i) => original(frame, frames[i + 1]))].join(
            "\n    at ",
          );
      }
    } catch {
      // A stack trace must never fail: Node's format below.
    }
    return fallback(error, frames);
  };
}

function readMap(url: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(readFileSync(new URL(url), "utf8")));
  } catch {
    return null;
  }
}
