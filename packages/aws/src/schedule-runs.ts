import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { dynamo } from "./aws-clients";
import { tableName } from "./runtime";

/** The ledger item `pnpm status` shows a schedule's last run from: `schedule#<name>`. */
export const scheduleRunKey = (schedule: string) => `schedule#${schedule}`;

export interface ScheduleRun {
  at: string;
  durationMs: number;
  summary?: string;
  error?: string;
}

/** Records a scheduled run's outcome; best effort: a run is not failed because its record could not be written. */
export async function recordRun(
  schedule: string,
  started: number,
  outcome: { summary?: string; error?: string },
) {
  const run: ScheduleRun = {
    at: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    ...outcome,
  };
  await dynamo()
    .send(new PutCommand({ TableName: tableName("ledger"), Item: { pk: scheduleRunKey(schedule), ...run } }))
    .catch(() => undefined);
}
