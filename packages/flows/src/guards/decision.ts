import type { GuardAction } from "@m3bc/core";

/** What one check found: enough for a human to see why, and nothing personal. */
export interface Finding {
  /** The config key of the check, e.g. "orderValue", "priceChange". */
  rule: string;
  action: Exclude<GuardAction, "off">;
  /** What the check measured, rounded; it trips when score ≥ threshold. */
  score: number;
  threshold: number;
  /** What the check looked at: amounts, counts, codes; never names, e-mails or addresses. */
  inputs: Record<string, string | number | boolean | string[]>;
  /** One short line a human reads in M3's order text, BigCommerce's staff notes and the parked record. */
  note: string;
}

export type Verdict = "pass" | "flag" | "hold";

export interface Decision {
  verdict: Verdict;
  findings: Finding[];
}

/** Hold if any finding holds, flag if any flags, else pass. */
export function decide(findings: Finding[]): Decision {
  const verdict = findings.some((f) => f.action === "hold") ? "hold" : findings.length ? "flag" : "pass";
  return { verdict, findings };
}

/** A finding when the check is on and trips (score ≥ threshold), else none. */
export function trip(action: GuardAction, finding: Omit<Finding, "action">): Finding[] {
  if (action === "off" || !(finding.score >= finding.threshold)) return [];
  return [{ ...finding, action, score: round(finding.score), threshold: round(finding.threshold) }];
}

export const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

/** The decision as a log line's field: rules with their scores, thresholds and inputs. */
export const logged = (subject: string, decision: Decision) => ({
  subject,
  verdict: decision.verdict,
  findings: decision.findings.map(({ rule, action, score, threshold, inputs }) => ({
    rule,
    action,
    score,
    threshold,
    inputs,
  })),
});
