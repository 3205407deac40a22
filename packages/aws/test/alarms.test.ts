import type { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { describe, expect, test } from "vitest";
import { readAlarms } from "../src/operate/status";

describe("a stage's alarms by flow (pnpm status, the console's overview)", () => {
  const asked: unknown[] = [];
  // As infra/ writes them: a generated name, and the description ending in the runbook section.
  const alarm = (name: string, state: string, what: string, dimensions: object) => ({
    AlarmName: `m3bc-prod-stateless-${name}-RANDOM`,
    StateValue: state,
    StateUpdatedTimestamp: new Date("2026-05-01T10:00:00Z"),
    AlarmDescription: `${what}. What to do: docs/runbook.md#some-section`,
    ...dimensions,
  });
  const pages = [
    {
      MetricAlarms: [
        alarm("ordereventsdlq-not-empty", "ALARM", "Messages of queue order-events exhausted their retries", {
          Dimensions: [{ Name: "QueueName", Value: "m3bc-prod-stateful-queueordereventsdlq-XYZ" }],
        }),
        alarm("shipmentspoll-error-rate", "OK", "More than 5% of shipments-poll's invocations failed", {
          Metrics: [
            {
              Id: "errors",
              MetricStat: {
                Metric: {
                  Dimensions: [{ Name: "FunctionName", Value: "m3bc-prod-stateless-shipmentspoll-ABC" }],
                },
              },
            },
          ],
        }),
      ],
      NextToken: "2",
    },
    {
      MetricAlarms: [
        alarm("catalog-messages-parked", "INSUFFICIENT_DATA", "A catalog message was parked", {
          Metrics: [
            {
              Id: "m0",
              MetricStat: {
                Metric: {
                  Dimensions: [
                    { Name: "service", Value: "catalog-deliver" },
                    { Name: "flow", Value: "catalog" },
                  ],
                },
              },
            },
          ],
        }),
        alarm("schedule-dlq-not-empty", "ALARM", "EventBridge Scheduler could not start a scheduled run", {
          Dimensions: [{ Name: "QueueName", Value: "m3bc-prod-stateful-scheduledlq-QRS" }],
        }),
      ],
    },
  ];
  const target = {
    stage: "prod",
    queues: {
      "order-events": {
        url: "https://sqs.eu-west-1.amazonaws.com/1/m3bc-prod-stateful-queueorderevents-XYZ",
        dlqUrl: "https://sqs.eu-west-1.amazonaws.com/1/m3bc-prod-stateful-queueordereventsdlq-XYZ",
        fifo: false,
      },
    },
    functions: { "shipments-poll": "m3bc-prod-stateless-shipmentspoll-ABC" },
    cloudwatch: {
      send: async (command: DescribeAlarmsCommand) => {
        asked.push(command.input);
        return pages[command.input.NextToken ? 1 : 0];
      },
    },
  };

  test("are found by the stage's stack name and given to the flow of the queue, function or flow they watch", async () => {
    const alarms = await readAlarms(target as never);
    expect(asked).toEqual([
      { AlarmNamePrefix: "m3bc-prod-stateless", AlarmTypes: ["MetricAlarm"], NextToken: undefined },
      { AlarmNamePrefix: "m3bc-prod-stateless", AlarmTypes: ["MetricAlarm"], NextToken: "2" },
    ]);
    expect(alarms.get("orders")).toEqual([
      {
        name: "m3bc-prod-stateless-ordereventsdlq-not-empty-RANDOM",
        state: "ALARM",
        what: "Messages of queue order-events exhausted their retries",
        runbook: "some-section",
        since: "2026-05-01T10:00:00.000Z",
      },
    ]);
    expect(alarms.get("shipments")?.map((a) => a.state)).toEqual(["OK"]);
    expect(alarms.get("catalog")?.map((a) => a.state)).toEqual(["INSUFFICIENT_DATA"]);
    // Whose it is cannot be said: shown apart.
    expect(alarms.get(undefined)?.map((a) => a.what)).toEqual([
      "EventBridge Scheduler could not start a scheduled run",
    ]);
  });
});
