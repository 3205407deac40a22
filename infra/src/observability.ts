import { apiTargets, METRICS_NAMESPACE, metricDimensions, metricNames } from "@m3bc/aws";
import type { Topology } from "@m3bc/topology";
import { CfnOutput, CfnParameter, Duration, Stack, Validations } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { pascal } from "./names";
import type { DeployedQueue } from "./stateful-stack";

export interface AlarmSettings {
  /** Alarm when a queue's oldest message has waited longer than this. */
  oldestMessageMinutes: number;
  /**
   * Alarm when more than this share of a function's invocations fail (Lambda errors), or of the messages a queue
   * consumer received fail (handed back to the queue).
   */
  errorRatePercent: number;
  /** Alarm when BigCommerce or M3 throttled a flow this many times in five minutes. */
  apiThrottlesPerFiveMinutes: number;
  /** Alarm on this many rejected (unauthenticated) webhook calls in five minutes. */
  webhookRejectionsPerFiveMinutes: number;
}

export const DEFAULT_ALARMS: AlarmSettings = {
  oldestMessageMinutes: 15,
  errorRatePercent: 5,
  apiThrottlesPerFiveMinutes: 20,
  webhookRejectionsPerFiveMinutes: 10,
};

export interface ObservabilityProps {
  topology: Topology;
  /** The stage deployed: its alarms and dashboards read the connector metrics of this stage only. */
  stage: string;
  functions: Record<string, lambda.Function>;
  queues: Record<string, DeployedQueue>;
  scheduleDlq: sqs.IQueue | undefined;
  settings?: Partial<AlarmSettings>;
}

interface AlarmOptions {
  metric: cloudwatch.IMetric;
  /** Alarms at or above this value. */
  threshold: number;
  /** What the alarm means, for the e-mail. */
  what: string;
  /** The runbook section (anchor) that says what to do. */
  section: string;
  /** Datapoints that must breach out of how many evaluated; one of one by default. */
  datapoints?: [toAlarm: number, evaluated: number];
}

const PERIOD = Duration.minutes(5);
/** The function that publishes the finance reconciliation's metrics. */
const RECONCILE_FUNCTION = "finance-reconcile";
/** Each alarm's description starts with this and ends with its runbook section, e.g. "#dlq-not-empty". */
export const RUNBOOK = "docs/runbook.md";

/**
 * A dashboard per flow and the alarms that need a human, all sent to one SNS topic with an e-mail subscription
 * (the AlarmEmail parameter). Connector metrics are the Powertools EMF metrics of packages/aws: namespace
 * METRICS_NAMESPACE, dimensions `service` (the function), `flow` and `stage` (metricDimensions), plus `target`
 * (bigcommerce | m3) on the API metrics. A function calls the targets (apiTargets) whose secrets the topology
 * gives it. Every stage in an account and region publishes to the same namespace: each connector metric here
 * names its stage, or one stage's alarms would fire on another's failures.
 */
export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboards: Record<string, cloudwatch.Dashboard> = {};
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.stage = props.stage;
    const settings = { ...DEFAULT_ALARMS, ...props.settings };
    const email = new CfnParameter(this, "AlarmEmail", {
      type: "String",
      description: "Where alarms are e-mailed (confirm the subscription e-mail AWS sends)",
      allowedPattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
      constraintDescription: "must be an e-mail address",
    });
    // Keep the parameter's logical id stable ("AlarmEmail") for `cdk deploy --parameters`.
    email.overrideLogicalId("AlarmEmail");
    this.topic = new sns.Topic(this, "alarms", {
      displayName: "M3-BigCommerce connector alarms",
      enforceSSL: true,
    });
    const subscription = this.topic.addSubscription(new subscriptions.EmailSubscription(email.valueAsString));
    Validations.of(subscription).acknowledge({
      id: "Serverless::Serverless-SNSRedrivePolicy",
      reason:
        "An alarm e-mail SNS could not deliver would wait in a DLQ that only another alarm, e-mailed to the same address, could report. CloudWatch keeps each alarm's state and history, and the dashboards show them.",
    });
    new CfnOutput(Stack.of(this), "AlarmTopicArn", { value: this.topic.topicArn });

    const flows = [...new Set(Object.values(props.topology.functions).map((fn) => fn.flow))];
    for (const flow of flows) this.addFlow(flow, props, settings);
    // One alarm for everything the guards hold: held orders and catalog items, and locations the inventory breaker
    // keeps untouched (counted on every run until released, so this alarm stays on until then).
    const holders = Object.entries(props.topology.functions).filter(([, fn]) => fn.holds);
    if (holders.length)
      this.alarm("guard-holds", {
        metric: new cloudwatch.MathExpression({
          label: "Held by guards",
          expression: holders.map((_, i) => `FILL(m${i}, 0)`).join(" + "),
          usingMetrics: Object.fromEntries(
            holders.map(([service, fn], i) => [
              `m${i}`,
              this.connectorMetric(metricNames.guardHolds, service, fn.flow),
            ]),
          ),
          period: PERIOD,
        }),
        threshold: 1,
        what: "A guard held an order, a catalog item or a location's stock push",
        section: "guard-holds",
      });

    if (props.topology.functions[RECONCILE_FUNCTION]) this.addReconciliation();

    if (props.scheduleDlq)
      this.alarm("schedule-dlq-not-empty", {
        metric: props.scheduleDlq.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: "Maximum",
        }),
        threshold: 1,
        what: "EventBridge Scheduler could not start a scheduled run",
        section: "schedule-dlq-not-empty",
      });
  }

  private addFlow(flow: string, props: ObservabilityProps, settings: AlarmSettings) {
    const functions = Object.entries(props.topology.functions)
      .filter(([, fn]) => fn.flow === flow)
      .map(([name, spec]) => ({ name, spec, fn: props.functions[name]! }));
    const queues = Object.values(props.queues).filter(
      (q) => props.topology.queues[q.view.name]?.flow === flow,
    );
    const metric = (metricName: string, service: string, extra?: Record<string, string>) =>
      this.connectorMetric(metricName, service, flow, { extra });
    const perFunction = (metricName: string, names = functions.map((f) => f.name)) =>
      names.map((service) => metric(metricName, service).with({ label: `${service} ${metricName}` }));
    const total = (label: string, metrics: cloudwatch.IMetric[]) =>
      new cloudwatch.MathExpression({
        label,
        expression: metrics.map((_, i) => `FILL(m${i}, 0)`).join(" + "),
        usingMetrics: Object.fromEntries(metrics.map((m, i) => [`m${i}`, m])),
        period: PERIOD,
      });
    const targets = apiTargets.filter((t) => functions.some((f) => f.spec.secrets.includes(t)));
    const apiMetric = (metricName: string, target: string) =>
      functions
        .filter((f) => f.spec.secrets.includes(target as never))
        .map((f) => metric(metricName, f.name, { target }).with({ label: `${f.name} → ${target}` }));
    const consumers = functions.filter((f) => f.spec.trigger.type === "sqs").map((f) => f.name);
    const webhooks = functions.filter((f) => f.spec.trigger.type === "http").map((f) => f.name);
    const scheduled = functions.filter((f) => f.spec.trigger.type === "schedule");

    // Alarms: each one something a human must look at, each with its runbook section.
    const flowAlarms: cloudwatch.Alarm[] = [];
    const alarm = (alarmId: string, options: AlarmOptions) => flowAlarms.push(this.alarm(alarmId, options));
    for (const q of queues) {
      alarm(`${q.view.name}-dlq-not-empty`, {
        metric: q.dlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum" }),
        threshold: 1,
        what: `Messages of queue ${q.view.name} exhausted their retries and wait in its DLQ`,
        section: "dlq-not-empty",
      });
      alarm(`${q.view.name}-oldest-message`, {
        metric: q.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: "Maximum" }),
        threshold: settings.oldestMessageMinutes * 60,
        what: `The oldest message in ${q.view.name} is older than ${settings.oldestMessageMinutes} minutes`,
        section: "oldest-message-too-old",
      });
    }
    for (const { name, fn } of functions) {
      const errors = fn.metricErrors({ period: PERIOD, statistic: "Sum" });
      const invocations = fn.metricInvocations({ period: PERIOD, statistic: "Sum" });
      alarm(`${name}-error-rate`, {
        metric: new cloudwatch.MathExpression({
          label: `${name} error rate (%)`,
          expression: "IF(invocations > 0, 100 * errors / invocations, 0)",
          usingMetrics: { errors, invocations },
          period: PERIOD,
        }),
        threshold: settings.errorRatePercent,
        what: `More than ${settings.errorRatePercent}% of ${name}'s invocations failed`,
        section: "error-rate",
        datapoints: [2, 3],
      });
      alarm(`${name}-throttled`, {
        metric: fn.metricThrottles({ period: PERIOD, statistic: "Sum" }),
        threshold: 1,
        what: `Lambda throttled ${name} (account or function concurrency exhausted)`,
        section: "lambda-throttled",
      });
    }
    // A consumer reports failing messages in its batch response, which Lambda counts as a successful invocation:
    // the error-rate alarm only sees crashes. This one sees the messages.
    for (const { name, spec } of functions) {
      if (spec.trigger.type !== "sqs") continue;
      const source = props.queues[spec.trigger.queue]!.queue;
      alarm(`${name}-failed-messages`, {
        metric: new cloudwatch.MathExpression({
          label: `${name} failed messages (%)`,
          expression: "IF(received > 0, 100 * FILL(failed, 0) / received, 0)",
          usingMetrics: {
            failed: metric(metricNames.failed, name),
            received: source.metricNumberOfMessagesReceived({ period: PERIOD, statistic: "Sum" }),
          },
          period: PERIOD,
        }),
        threshold: settings.errorRatePercent,
        what: `More than ${settings.errorRatePercent}% of the messages ${name} received failed and went back to the queue`,
        section: "failed-messages",
        datapoints: [2, 3],
      });
    }
    // Runs Lambda gave up on (failed once, or waited longer than the schedule's period): each also lands in the
    // schedule DLQ; this alarm names the function.
    for (const { name, fn } of scheduled)
      alarm(`${name}-runs-dropped`, {
        metric: fn.metric("AsyncEventsDropped", { period: PERIOD, statistic: "Sum" }),
        threshold: 1,
        what: `A scheduled run of ${name} failed or expired and went to the schedule DLQ`,
        section: "scheduled-run-failed",
      });
    if (consumers.length)
      alarm(`${flow}-messages-parked`, {
        metric: total(`${flow} messages parked`, perFunction(metricNames.parked, consumers)),
        threshold: 1,
        what: `A ${flow} message failed for a reason a human must fix and was parked`,
        section: "messages-parked",
      });
    for (const target of targets)
      alarm(`${flow}-${target}-throttles`, {
        metric: total(`${flow} throttles by ${target}`, apiMetric(metricNames.apiThrottles, target)),
        threshold: settings.apiThrottlesPerFiveMinutes,
        what: `${target} throttled the ${flow} flow ${settings.apiThrottlesPerFiveMinutes}+ times in 5 minutes`,
        section: "api-throttles",
      });
    for (const name of webhooks)
      alarm(`${name}-rejections`, {
        metric: metric(metricNames.webhookRejected, name),
        threshold: settings.webhookRejectionsPerFiveMinutes,
        what: `${name} rejected ${settings.webhookRejectionsPerFiveMinutes}+ unauthenticated calls in 5 minutes`,
        section: "webhook-auth-failures",
      });

    // The missed-order sweep had to step in: webhooks are being lost, or a hook was deactivated or is missing.
    if (functions.some((f) => f.name === "orders-sweep"))
      alarm("orders-sweep-found-missed", {
        metric: total("orders found by the sweep, hooks repaired", [
          metric(metricNames.ordersSwept, "orders-sweep"),
          metric(metricNames.webhooksRepaired, "orders-sweep"),
        ]),
        threshold: 1,
        what: "The missed-order sweep enqueued orders no webhook had brought, or found order hooks deactivated or missing",
        section: "missed-webhooks",
      });

    const lambdaGraph = (title: string, get: (fn: lambda.Function) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({ title, left: functions.map((f) => get(f.fn)), width: 8 });
    const queueGraph = (title: string, get: (q: DeployedQueue) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({ title, left: queues.map(get), width: 8 });
    const dashboard = new cloudwatch.Dashboard(this, `${flow}-dashboard`, {
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# ${flow} flow\nAlarms and what to do: ${RUNBOOK}. Replay DLQ and parked messages with \`pnpm replay\`.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Throughput (messages handled)",
        left: [
          ...perFunction(metricNames.done, consumers),
          ...perFunction(metricNames.skipped, consumers),
          ...perFunction(metricNames.retried, consumers),
          ...perFunction(metricNames.failed, consumers),
        ],
        width: 8,
      }),
      lambdaGraph("Invocations", (fn) => fn.metricInvocations({ period: PERIOD })),
      new cloudwatch.GraphWidget({
        title: "Errors (left) and throttles (right)",
        left: functions.map((f) => f.fn.metricErrors({ period: PERIOD })),
        right: functions.map((f) => f.fn.metricThrottles({ period: PERIOD })),
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Duration p50 / p99 (ms)",
        left: functions.flatMap((f) => [
          f.fn.metricDuration({ period: PERIOD, statistic: "p50" }).with({ label: `${f.name} p50` }),
          f.fn.metricDuration({ period: PERIOD, statistic: "p99" }).with({ label: `${f.name} p99` }),
        ]),
        width: 8,
      }),
      queueGraph("Queue depth (visible)", (q) =>
        q.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum" }),
      ),
      queueGraph("Age of oldest message (s)", (q) =>
        q.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: "Maximum" }),
      ),
    );
    dashboard.addWidgets(
      queueGraph("DLQ depth", (q) =>
        q.dlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum" }).with({
          label: `${q.view.dlqName}`,
        }),
      ),
      new cloudwatch.GraphWidget({
        title: "Parked messages",
        left: perFunction(metricNames.parked, consumers),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: "API calls and throttles by target",
        left: targets.flatMap((t) => apiMetric(metricNames.apiCalls, t)),
        right: targets.flatMap((t) => apiMetric(metricNames.apiThrottles, t)),
        width: 8,
      }),
    );
    if (webhooks.length)
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: "Webhooks rejected",
          left: perFunction(metricNames.webhookRejected, webhooks),
          width: 8,
        }),
      );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms: flowAlarms, width: 24 }),
    );
    this.dashboards[flow] = dashboard;
    new CfnOutput(Stack.of(this), `Dashboard${pascal(flow)}`, { value: dashboard.dashboardName });
  }

  /**
   * The daily finance reconciliation: its mismatch metrics on the finance dashboard, and an alarm when any
   * mismatch is older than finance.reconcile.alarmAfterDays (the function counts those; the age is config).
   */
  private addReconciliation() {
    const daily = (metricName: string) =>
      this.connectorMetric(metricName, RECONCILE_FUNCTION, "finance", {
        statistic: "Maximum",
        period: Duration.days(1),
      });
    this.alarm("finance-stale-mismatches", {
      metric: daily(metricNames.reconcileStaleMismatches),
      threshold: 1,
      what: "The daily finance reconciliation found mismatches older than finance.reconcile.alarmAfterDays",
      section: "finance-mismatches",
    });
    this.dashboards.finance?.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Reconciliation: mismatches, and those older than the alarm age",
        left: [daily(metricNames.reconcileMismatches), daily(metricNames.reconcileStaleMismatches)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Reconciliation: mismatched amount per currency",
        left: [
          new cloudwatch.MathExpression({
            label: "amount",
            // The schema names every dimension and the term this stage: one series per currency of this stage only.
            expression: `SEARCH('{${METRICS_NAMESPACE},currency,flow,service,stage} MetricName="${metricNames.reconcileMismatchAmount}" stage="${this.stage}"', 'Maximum', 86400)`,
            period: Duration.days(1),
          }),
        ],
        width: 12,
      }),
    );
  }

  /**
   * A connector metric of this stage: namespace METRICS_NAMESPACE with its full dimension set (metricDimensions
   * plus `extra`, e.g. the API target), as CloudWatch matches it. A Sum over five minutes unless said otherwise.
   */
  private connectorMetric(
    metricName: string,
    service: string,
    flow: string,
    options: { extra?: Record<string, string>; statistic?: string; period?: Duration } = {},
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { ...metricDimensions(service, flow, this.stage), ...options.extra },
      statistic: options.statistic ?? "Sum",
      period: options.period ?? PERIOD,
    });
  }

  private alarm(id: string, options: AlarmOptions): cloudwatch.Alarm {
    const [datapointsToAlarm, evaluationPeriods] = options.datapoints ?? [1, 1];
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${options.what}. What to do: ${RUNBOOK}#${options.section}`,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
