import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { dynamo } from "./aws-clients";
import { tableName } from "./runtime";
import { runtimeTopology } from "./runtime-topology";

/** The ledger item `pnpm status` shows a schedule's last run from: `schedule#<name>`. */
export const scheduleRunKey = (schedule: string) => `schedule#${schedule}`;

/**
 * Recent runs are kept one per schedule period for the last RUN_HISTORY periods, in items
 * `schedule#<name>#<slot>` that the next round of periods overwrites: PutItem only (what every scheduled function
 * is granted on the ledger), no list to trim, and a fixed number of keys to read.
 */
export const RUN_HISTORY = 12;

const periodMs = (schedule: string) =>
  ((runtimeTopology.schedules as Record<string, { everyMinutes: number }>)[schedule]?.everyMinutes ?? 1) *
  60_000;

export const scheduleHistoryKeys = (schedule: string) =>
  Array.from({ length: RUN_HISTORY }, (_, slot) => `${scheduleRunKey(schedule)}#${slot}`);

const historyKey = (schedule: string, started: number) =>
  `${scheduleRunKey(schedule)}#${Math.floor(started / periodMs(schedule)) % RUN_HISTORY}`;

export interface ScheduleRun {
  at: string;
  durationMs: number;
  summary?: string;
  error?: string;
}

/** Whether a history item is still one of the last RUN_HISTORY periods (older slots wait to be overwritten). */
export const isRecentRun = (schedule: string, run: Pick<ScheduleRun, "at">, now = Date.now()) =>
  now - Date.parse(run.at) < RUN_HISTORY * periodMs(schedule);

/**
 * Records a scheduled run's outcome as the schedule's last run and in its history; best effort: a run is not failed
 * because its record could not be written.
 */
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
  const expiresAt = Math.floor((started + RUN_HISTORY * periodMs(schedule)) / 1000) + 3600;
  await Promise.all(
    [
      { pk: scheduleRunKey(schedule), ...run },
      { pk: historyKey(schedule, started), ...run, [runtimeTopology.tables.ledger.ttlAttribute]: expiresAt },
    ].map((Item) =>
      dynamo()
        .send(new PutCommand({ TableName: tableName("ledger"), Item }))
        .catch(() => undefined),
    ),
  );
}
