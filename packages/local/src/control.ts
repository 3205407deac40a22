import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalMetrics } from "./metrics";
import type { SqsPoller } from "./poller";
import type { Scheduler } from "./scheduler";

/**
 * The part of the Lambda, EventBridge Scheduler and CloudWatch APIs that operator commands use (`pnpm pause`,
 * `resume`, `status`): event source mappings (list, get, enable or disable), schedules (list, get, update the
 * state), the connector's message metrics (GetMetricData) and alarms (DescribeAlarms: the local stack has none).
 * Locally the AWS SDK clients of those commands are pointed here, so the code that pauses a deployed stage is
 * the code that pauses the local stack. What was paused stays paused across restarts (`control.json`).
 */
export interface ControlOptions {
  region: string;
  /** Topology function name → its poller and the queue it consumes. */
  sources: Record<string, { poller: SqsPoller; queueArn: string; batchSize: number }>;
  scheduler: Scheduler;
  /** Topology schedule name → the function it starts. */
  scheduleTargets: Record<string, string>;
  /** Where the paused event sources and schedules are kept; none: nothing is kept. */
  stateFile?: string;
  metrics: LocalMetrics;
}

export interface ControlApi {
  url: string;
  close(): Promise<void>;
}

interface ControlState {
  disabledSources: string[];
  disabledSchedules: string[];
}

export const SCHEDULE_GROUP = "default";
const ACCOUNT = "000000000000";

export async function startControlApi(options: ControlOptions): Promise<ControlApi> {
  const { region, sources, scheduler, scheduleTargets, stateFile, metrics } = options;
  const functionArn = (name: string) => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;
  const uuidOf = (name: string) => `local-${name}`;
  const state = readState(stateFile);
  const save = () => {
    if (!stateFile) return;
    const saved: ControlState = {
      disabledSources: Object.entries(sources)
        .filter(([, s]) => !s.poller.running)
        .map(([name]) => name),
      disabledSchedules: [...scheduler.disabled],
    };
    writeFileSync(stateFile, `${JSON.stringify(saved, null, 2)}\n`);
  };
  for (const name of state.disabledSchedules) scheduler.disabled.add(name);
  for (const [name, source] of Object.entries(sources))
    if (!state.disabledSources.includes(name)) source.poller.start();

  const mapping = (name: string) => {
    const source = sources[name]!;
    return {
      UUID: uuidOf(name),
      FunctionArn: functionArn(name),
      EventSourceArn: source.queueArn,
      BatchSize: source.batchSize,
      State: source.poller.running ? "Enabled" : "Disabled",
      StateTransitionReason: "USER_INITIATED",
      LastModified: Date.now() / 1000,
    };
  };
  const byUuid = (uuid: string) => Object.keys(sources).find((name) => uuidOf(name) === uuid);

  const schedule = (name: string) => ({
    Arn: `arn:aws:scheduler:${region}:${ACCOUNT}:schedule/${SCHEDULE_GROUP}/${name}`,
    Name: name,
    GroupName: SCHEDULE_GROUP,
    State: scheduler.disabled.has(name) ? "DISABLED" : "ENABLED",
    // Local schedules may run every few seconds (a demo); the cloud's minimum is a minute.
    ScheduleExpression:
      everySeconds(name) % 60
        ? `rate(${everySeconds(name)} seconds)`
        : `rate(${everySeconds(name) / 60} minutes)`,
    FlexibleTimeWindow: { Mode: "OFF" },
    Target: {
      Arn: functionArn(scheduleTargets[name]!),
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/local-scheduler`,
      Input: JSON.stringify({ source: "aws.scheduler", "detail-type": "Scheduled Event", schedule: name }),
    },
  });
  const everySeconds = (name: string) => scheduler.schedules.find((s) => s.name === name)?.everySeconds ?? 60;

  const routes: Array<
    [string, RegExp, (m: RegExpMatchArray, url: URL, body: Record<string, unknown>) => Answer]
  > = [
    [
      "GET",
      /^\/2015-03-31\/event-source-mappings\/?$/,
      (_m, url) => {
        const fn = url.searchParams.get("FunctionName");
        const names = Object.keys(sources).filter((n) => !fn || n === fn || functionArn(n) === fn);
        return ok({ EventSourceMappings: names.map(mapping) });
      },
    ],
    [
      "GET",
      /^\/2015-03-31\/event-source-mappings\/([^/]+)$/,
      (m) => {
        const name = byUuid(decodeURIComponent(m[1]!));
        return name
          ? ok(mapping(name))
          : notFound(
              "ResourceNotFoundException",
              `The resource you requested does not exist. (UUID ${m[1]})`,
            );
      },
    ],
    [
      "PUT",
      /^\/2015-03-31\/event-source-mappings\/([^/]+)$/,
      (m, _url, body) => {
        const name = byUuid(decodeURIComponent(m[1]!));
        if (!name)
          return notFound(
            "ResourceNotFoundException",
            `The resource you requested does not exist. (UUID ${m[1]})`,
          );
        const source = sources[name]!;
        if (body.Enabled === true) source.poller.start();
        // Messages in hand finish; the rest wait on the queue, as with a disabled mapping.
        if (body.Enabled === false) void source.poller.stop();
        save();
        return {
          status: 202,
          body: { ...mapping(name), State: body.Enabled === false ? "Disabled" : "Enabled" },
        };
      },
    ],
    [
      "GET",
      /^\/schedules\/?$/,
      (_m, url) => {
        const prefix = url.searchParams.get("NamePrefix") ?? "";
        return ok({
          Schedules: Object.keys(scheduleTargets)
            .filter((n) => n.startsWith(prefix))
            .map(schedule),
        });
      },
    ],
    [
      "GET",
      /^\/schedules\/([^/]+)$/,
      (m) => {
        const name = decodeURIComponent(m[1]!);
        return scheduleTargets[name]
          ? ok(schedule(name))
          : notFound("ResourceNotFoundException", `Schedule ${name} does not exist.`);
      },
    ],
    [
      "PUT",
      /^\/schedules\/([^/]+)$/,
      (m, _url, body) => {
        const name = decodeURIComponent(m[1]!);
        if (!scheduleTargets[name])
          return notFound("ResourceNotFoundException", `Schedule ${name} does not exist.`);
        if (body.State === "DISABLED") scheduler.disabled.add(name);
        if (body.State === "ENABLED") scheduler.disabled.delete(name);
        save();
        return ok({ ScheduleArn: schedule(name).Arn });
      },
    ],
  ];

  // CloudWatch speaks the AWS JSON 1.0 protocol: POST / naming the operation in X-Amz-Target; times in epoch seconds.
  const cloudwatch: Record<string, (body: Record<string, unknown>) => Answer> = {
    GetMetricData(body) {
      const start = Number(body.StartTime) * 1000;
      const end = Number(body.EndTime) * 1000;
      const queries = (body.MetricDataQueries ?? []) as Array<{
        Id: string;
        MetricStat?: { Metric: Parameters<LocalMetrics["sums"]>[0]; Period: number };
      }>;
      return ok({
        MetricDataResults: queries.map((q) => ({
          Id: q.Id,
          Label: q.MetricStat?.Metric.MetricName ?? q.Id,
          StatusCode: "Complete",
          ...(q.MetricStat
            ? metrics.sums(q.MetricStat.Metric, start, end, q.MetricStat.Period)
            : { Timestamps: [], Values: [] }),
        })),
        Messages: [],
      });
    },
    DescribeAlarms: () => ok({ MetricAlarms: [], CompositeAlarms: [] }),
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: Error) =>
      send(res, { status: 500, body: { message: error.message } }),
    );
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://control");
    const target = req.headers["x-amz-target"];
    if (typeof target === "string") {
      const operation = cloudwatch[target.replace(/^GraniteServiceVersion20100801\./, "")];
      const body = JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>;
      return send(
        res,
        operation?.(body) ?? notFound("UnknownOperationException", `${target} is not emulated`),
        "application/x-amz-json-1.0",
      );
    }
    const route = routes.find(([method, pattern]) => method === req.method && pattern.test(url.pathname));
    if (!route)
      return send(
        res,
        notFound("UnknownOperationException", `${req.method} ${url.pathname} is not emulated`),
      );
    const text = await readBody(req);
    send(res, route[2](url.pathname.match(route[1])!, url, text ? JSON.parse(text) : {}));
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Answer = { status: number; body: unknown; type?: string };

const ok = (body: unknown): Answer => ({ status: 200, body });
const notFound = (type: string, message: string): Answer => ({
  status: 404,
  body: { message, Message: message },
  type,
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, answer: Answer, contentType = "application/json") {
  res.writeHead(answer.status, {
    "content-type": contentType,
    ...(answer.type ? { "x-amzn-errortype": answer.type } : {}),
  });
  res.end(JSON.stringify(answer.body));
}

function readState(file: string | undefined): ControlState {
  if (!file || !existsSync(file)) return { disabledSources: [], disabledSchedules: [] };
  const state = JSON.parse(readFileSync(file, "utf8")) as Partial<ControlState>;
  return { disabledSources: state.disabledSources ?? [], disabledSchedules: state.disabledSchedules ?? [] };
}
