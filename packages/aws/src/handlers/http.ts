import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { describeError } from "@m3bc/core";
import type { FunctionName } from "@m3bc/topology";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import {
  createLogger,
  createMetrics,
  flushApiCounts,
  MetricUnit,
  metricNames,
  publishMetrics,
  reportRefused,
} from "../observability";
import { runtimeTopology } from "../runtime-topology";

export interface HttpRequest {
  method: string;
  path: string;
  /** Header names in lower case, as API Gateway HTTP APIs deliver them. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The body exactly as sent: signatures are computed over these bytes. */
  rawBody: Buffer;
  requestId: string;
}

export interface HttpResponse {
  status: number;
  /** Serialized as JSON; omit for an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Why an unauthenticated call was turned away: counted in WebhooksRejected (alarmed) and logged, never sent. */
  rejected?: string;
}

export interface HttpContext {
  functionName: string;
  logger: Logger;
  metrics: Metrics;
}

export type HttpStep = (request: HttpRequest, context: HttpContext) => Promise<HttpResponse>;

/**
 * Webhook bodies are a few hundred bytes; anything far larger is refused before it is parsed (API Gateway's own
 * limit, 10 MB, is fixed and far too generous for this endpoint).
 */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The primary adapter for HTTP API (payload 2.0) functions; an unexpected error is a bare 500, details only in the
 * log. Every endpoint is public, so each counts the calls it refuses as unauthenticated (`rejected`).
 */
export function httpHandler(functionName: FunctionName, step: HttpStep) {
  const spec = runtimeTopology.functions[functionName];
  const logger = createLogger(functionName);
  const metrics = createMetrics(functionName, spec.flow);

  const handle = async (
    event: APIGatewayProxyEventV2,
    _context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const request: HttpRequest = {
      method: event.requestContext.http.method,
      path: event.rawPath,
      headers: Object.fromEntries(
        Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? ""]),
      ),
      query: Object.fromEntries(
        Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? ""]),
      ),
      rawBody: Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8"),
      requestId: event.requestContext.requestId,
    };
    if (request.rawBody.length > MAX_BODY_BYTES) {
      return {
        statusCode: 413,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: `Body over ${MAX_BODY_BYTES} bytes` }),
      };
    }
    try {
      const response = await step(request, { functionName, logger, metrics }).finally(() =>
        flushApiCounts(metrics),
      );
      if (response.rejected) {
        metrics.addMetric(metricNames.webhookRejected, MetricUnit.Count, 1);
        logger.warn("request rejected", { reason: response.rejected, path: request.path });
      }
      // The local log shows every refused call with its reason (`pnpm dev`).
      if (response.status >= 400 && response.status < 500)
        reportRefused({
          functionName,
          method: request.method,
          path: request.path,
          status: response.status,
          reason: response.rejected ?? (response.body as { message?: string } | undefined)?.message ?? "",
        });
      return {
        statusCode: response.status,
        headers: {
          ...(response.body === undefined ? {} : { "content-type": "application/json" }),
          ...response.headers,
        },
        body: response.body === undefined ? "" : JSON.stringify(response.body),
      };
    } catch (error) {
      logger.error("request failed", { error: describeError(error), path: request.path });
      return {
        statusCode: 500,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "Internal error", requestId: request.requestId }),
      };
    }
  };

  return middy(handle).use(injectLambdaContext(logger)).use(publishMetrics(metrics));
}
