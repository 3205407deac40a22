import { verifyCustomHeader } from "@m3bc/bigcommerce";
import { loadConfig } from "./config";
import type { HttpRequest, HttpResponse } from "./handlers/http";
import { getSecret } from "./secrets";

/**
 * The ION push endpoints are doorbells: a push only says "something changed in M3", and the function runs the
 * same delta read its schedule runs. They are off until the m3 secret has an ionPushSecret; a call must carry it
 * in the m3.ionPushHeader header. Returns the refusal to answer, or undefined when the call may proceed.
 */
export async function refuseIonPush(request: HttpRequest): Promise<HttpResponse | undefined> {
  const secret = (await getSecret("m3")).ionPushSecret;
  if (!secret)
    return {
      status: 404,
      body: { message: "ION push is off: set ionPushSecret in the m3 secret to turn it on" },
    };
  const header = loadConfig().m3.ionPushHeader;
  if (!verifyCustomHeader(request.headers, header, secret))
    return {
      status: 401,
      body: { message: "Unauthorized" },
      rejected: `the ${header} header is missing or does not carry ionPushSecret`,
    };
  return undefined;
}
