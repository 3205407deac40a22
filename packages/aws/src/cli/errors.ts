import { ConfigError, isPersistent } from "@m3bc/core";

/**
 * A problem the person at the keyboard can fix: printed as the message and the fix, never as a stack trace.
 * Exit code 2 (usage, files, environment) unless said otherwise.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly fix?: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** What to print for any error a command let through: the message, the fix if known, the exit code. */
export function explain(error: unknown): { message: string; fix?: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, fix: error.fix, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: 2 };
  if (isPersistent(error)) return { message: error.message, fix: error.fix, exitCode: 1 };
  const name = (error as { name?: string } | null)?.name ?? "";
  const message = error instanceof Error ? error.message : String(error);
  // The AWS SDK's own words are accurate but say nothing about where the settings come from.
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message))
    return {
      message: `No AWS credentials: ${message}`,
      fix: "Sign in (aws sso login, or set AWS_PROFILE / AWS_ACCESS_KEY_ID) for the account the stage is deployed in.",
      exitCode: 2,
    };
  if (/Region is missing/i.test(message))
    return { message: "No AWS region", fix: "Pass --region <region> or set AWS_REGION.", exitCode: 2 };
  if (
    name === "AccessDeniedException" ||
    name === "AccessDenied" ||
    /not authorized to perform/i.test(message)
  )
    return {
      message,
      fix: "Use credentials allowed to read the stage's queues, tables, functions and schedules (see docs/runbook.md).",
      exitCode: 2,
    };
  const network = networkFailure(error);
  if (network) return { ...network, exitCode: 1 };
  return { message, exitCode: 1 };
}

/**
 * Node's fetch throws "fetch failed" and hides why in `cause` (ECONNREFUSED, ENOTFOUND, a certificate problem):
 * name the host and the reason, which is what one needs to act.
 */
export function networkFailure(error: unknown, url?: string): { message: string; fix: string } | undefined {
  let cause: unknown = error;
  let code: string | undefined;
  for (let depth = 0; cause && depth < 5; depth++) {
    code ??= (cause as { code?: string }).code;
    cause = (cause as { cause?: unknown }).cause;
  }
  const text = error instanceof Error ? error.message : String(error);
  if (!code && !/fetch failed/i.test(text)) return undefined;
  const host = url ? new URL(url).host : hostIn(text);
  const where = host ? ` ${host}` : "";
  const fixes: Record<string, string> = {
    ECONNREFUSED: `Nothing answers at${where}: is the service running and the URL right?`,
    ENOTFOUND: `The name${where} does not resolve: check the URL for typos and your DNS or VPN.`,
    ETIMEDOUT: `No answer from${where}: check the network path (proxy, firewall, VPN).`,
    ECONNRESET: `${host ?? "The server"} closed the connection: retry, and check proxies in between.`,
    CERT_HAS_EXPIRED: `The TLS certificate of${where} has expired.`,
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: `The TLS certificate of${where} is not trusted here (NODE_EXTRA_CA_CERTS?).`,
  };
  return {
    message: `Cannot reach${where || " the server"}${code ? ` (${code})` : ""}: ${text}`,
    fix: (code && fixes[code]) || `Check that${where || " the URL"} is reachable from this machine.`,
  };
}

const hostIn = (text: string) => /https?:\/\/([^/\s:]+(?::\d+)?)/.exec(text)?.[1];
