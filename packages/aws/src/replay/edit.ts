import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Edits {
  /** `path=value` assignments into the message body, e.g. `payload.lines.0.sku=TEE-M-BLK`. */
  set: string[];
  /** Open $EDITOR (or $VISUAL) on each message before it is sent. */
  interactive: boolean;
  /** The whole message as a person edited it (the console's JSON editor); `set` applies after it. */
  body?: string;
}

export const NO_EDITS: Edits = { set: [], interactive: false };

/**
 * The body to replay: the envelope's attempt reset to 0 (the message starts over), then the edits. A body that is
 * not JSON is replayed as is, and can only be edited interactively.
 */
export function prepareBody(body: string, edits: Edits, label: string): string {
  let text = edits.body ?? body;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (edits.body !== undefined)
      throw new Error(
        `${label}: the edited message is not JSON (${(error as Error).message}); nothing was sent`,
      );
    json = undefined;
  }
  if (isObject(json)) {
    if (typeof json.attempt === "number") json.attempt = 0;
    for (const assignment of edits.set) setPath(json, assignment);
    text = JSON.stringify(json);
  } else if (edits.set.length) {
    throw new Error(`${label}: --set needs a JSON object body; use --edit for this message`);
  }
  if (!edits.interactive) return text;
  const edited = openEditor(isObject(json) ? JSON.stringify(json, null, 2) : text, label);
  if (isObject(json)) {
    try {
      return JSON.stringify(JSON.parse(edited));
    } catch (error) {
      throw new Error(
        `${label}: the edited message is not JSON (${(error as Error).message}); nothing was sent`,
      );
    }
  }
  return edited;
}

/** Applies `a.b.0.c=value`; the value is JSON when it parses as JSON (numbers, true, null, "quoted"), else text. */
export function setPath(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new Error(`--set "${assignment}": expected path=value, e.g. payload.sku=TEE-M-BLK`);
  const path = assignment.slice(0, eq).split(".");
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  let node: Record<string, unknown> = target;
  for (const [i, key] of path.slice(0, -1).entries()) {
    const next = node[key];
    if (!isObject(next))
      throw new Error(
        `--set "${assignment}": ${path.slice(0, i + 1).join(".")} is not an object in this message`,
      );
    node = next;
  }
  node[path.at(-1)!] = value;
}

export function getPath(source: unknown, path: string): unknown {
  let node = source;
  for (const key of path.split(".")) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function openEditor(text: string, label: string): string {
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor) throw new Error("--edit needs $EDITOR (or $VISUAL), e.g. EDITOR=nano");
  const dir = mkdtempSync(join(tmpdir(), "m3bc-replay-"));
  const file = join(dir, "message.json");
  try {
    writeFileSync(file, text, { mode: 0o600 });
    // Through the shell, so EDITOR may carry arguments ("code --wait").
    const result = spawnSync(`${editor} "${file}"`, { shell: true, stdio: "inherit" });
    if (result.status !== 0)
      throw new Error(`${label}: the editor exited with ${result.status}; nothing was sent`);
    return readFileSync(file, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
