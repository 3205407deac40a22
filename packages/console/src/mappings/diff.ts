export interface DiffLine {
  kind: "same" | "removed" | "added";
  text: string;
  /** Line number in the old (same, removed) or the new file (added). */
  line: number;
}

/** Changed lines with their context; unchanged lines between hunks are left out. */
export type Hunk = DiffLine[];

/**
 * The lines that differ between two texts, with `context` unchanged lines around each change, as hunks: a
 * longest-common-subsequence diff (config files are a few hundred lines, so its n·m table is small).
 */
export function lineDiff(before: string, after: string, context = 2): Hunk[] {
  const a = before.split("\n");
  const b = after.split("\n");
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      common[i]![j] =
        a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: "same", text: a[i]!, line: i + 1 });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      // What goes comes before what replaces it.
      lines.push({ kind: "removed", text: a[i]!, line: i + 1 });
      i++;
    } else {
      lines.push({ kind: "added", text: b[j]!, line: j + 1 });
      j++;
    }
  }
  const changed = lines.map((l, k) => (l.kind !== "same" ? k : -1)).filter((k) => k >= 0);
  const hunks: Hunk[] = [];
  for (const k of changed) {
    const start = Math.max(0, k - context);
    const end = Math.min(lines.length, k + context + 1);
    const last = hunks.at(-1);
    const lastEnd = last ? lines.indexOf(last.at(-1)!) + 1 : -1;
    if (last && start <= lastEnd) last.push(...lines.slice(lastEnd, end));
    else hunks.push(lines.slice(start, end));
  }
  return hunks;
}
