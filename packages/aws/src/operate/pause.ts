import { ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { GetScheduleCommand, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import { type Flow, type FunctionSpec, flows, topology } from "@m3bc/topology";
import { CliError } from "../cli/errors";
import type { OperatorTarget } from "../cli/target";

/** One thing pause or resume switched: a queue consumer's event source mapping, or a schedule. */
export interface Switched {
  function: string;
  what: "event source" | "schedule";
  /** The queue or schedule. */
  name: string;
  before: "running" | "paused";
  after: "running" | "paused";
}

type Control = Pick<OperatorTarget, "lambda" | "scheduler" | "functions" | "schedules">;

/**
 * What `pnpm pause X` stops: every queue consumer and schedule of flow X, or one function. HTTP functions (the
 * webhook endpoint, ION push) keep accepting, so nothing is lost: what arrives waits on the queue.
 */
export function pausable(name: string): Array<[string, FunctionSpec]> {
  const all = Object.entries(topology.functions) as Array<[string, FunctionSpec]>;
  const switchable = all.filter(([, fn]) => fn.trigger.type !== "http");
  if ((flows as readonly string[]).includes(name))
    return switchable.filter(([, fn]) => fn.flow === (name as Flow));
  const one = switchable.filter(([fn]) => fn === name);
  if (one.length) return one;
  throw new CliError(
    `"${name}" is neither a flow nor a queue consumer or scheduled function`,
    `Name a flow (${flows.join(", ")}) or a function (${switchable.map(([fn]) => fn).join(", ")}).`,
  );
}

/**
 * Disables (pause) or enables (resume) the event source mappings and schedules of a flow or function, through
 * the Lambda and EventBridge Scheduler APIs: the same calls for a stage and for the local stack.
 */
export async function setPaused(target: Control, name: string, paused: boolean): Promise<Switched[]> {
  const switched: Switched[] = [];
  const after = paused ? "paused" : "running";
  for (const [fn, spec] of pausable(name)) {
    const deployed = target.functions[fn];
    if (!deployed) throw new CliError(`Function ${fn} is not deployed on this target`, "Deploy it first.");
    if (spec.trigger.type === "sqs") {
      const { EventSourceMappings = [] } = await target.lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: deployed }),
      );
      for (const mapping of EventSourceMappings) {
        const before = mapping.State === "Disabled" || mapping.State === "Disabling" ? "paused" : "running";
        if (before !== after)
          await target.lambda.send(
            new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: !paused }),
          );
        switched.push({ function: fn, what: "event source", name: spec.trigger.queue, before, after });
      }
    } else if (spec.trigger.type === "schedule") {
      const ref = target.schedules[spec.trigger.schedule];
      if (!ref)
        throw new CliError(
          `Schedule ${spec.trigger.schedule} is not deployed on this target`,
          "Deploy it first.",
        );
      const schedule = await target.scheduler.send(
        new GetScheduleCommand({ Name: ref.name, GroupName: ref.group }),
      );
      const before = schedule.State === "DISABLED" ? "paused" : "running";
      if (before !== after)
        // UpdateSchedule replaces the whole schedule: send it back as it is, with the new state.
        await target.scheduler.send(
          new UpdateScheduleCommand({
            Name: ref.name,
            GroupName: ref.group,
            ScheduleExpression: schedule.ScheduleExpression,
            ScheduleExpressionTimezone: schedule.ScheduleExpressionTimezone,
            StartDate: schedule.StartDate,
            EndDate: schedule.EndDate,
            Description: schedule.Description,
            FlexibleTimeWindow: schedule.FlexibleTimeWindow,
            Target: schedule.Target,
            KmsKeyArn: schedule.KmsKeyArn,
            ActionAfterCompletion: schedule.ActionAfterCompletion,
            State: paused ? "DISABLED" : "ENABLED",
          }),
        );
      switched.push({ function: fn, what: "schedule", name: spec.trigger.schedule, before, after });
    }
  }
  return switched;
}
