import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import dynalite from "dynalite";
import { startFauxqs } from "fauxqs";
import { spawnChild } from "../child";

export interface EmulatorEndpoints {
  sqsEndpoint: string;
  dynamoEndpoint: string;
}

export interface Emulators extends EmulatorEndpoints {
  stop(): Promise<void>;
}

/**
 * SQS (fauxqs) and DynamoDB (dynalite) on loopback ports chosen by the OS. With `dataDir` both keep their data
 * there (fauxqs in SQLite, dynalite in LevelDB through classic-level's prebuilt binary, which the npm package
 * ships for Linux, macOS and Windows: nothing is compiled), so a restart finds every message and record again;
 * without it they run in memory.
 */
export async function startEmulatorsInProcess(dataDir?: string): Promise<Emulators> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const sqs = await startFauxqs({
    port: 0,
    logger: false,
    ...(dataDir ? { dataDir: join(dataDir, "sqs") } : {}),
  });
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dataDir ? { path: join(dataDir, "dynamodb") } : {}),
  });
  await new Promise<void>((resolve) => dynamo.listen(0, "127.0.0.1", () => resolve()));
  return {
    sqsEndpoint: `http://127.0.0.1:${sqs.port}`,
    dynamoEndpoint: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
    stop: async () => {
      await sqs.stop();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

/** The same emulators in a child process, so their CPU time does not compete with the handlers'. */
export async function spawnEmulators(dataDir?: string): Promise<Emulators> {
  const child = await spawnChild<EmulatorEndpoints>(
    new URL("./main.ts", import.meta.url),
    dataDir ? { M3BC_EMULATOR_DATA: dataDir } : {},
    "emulators",
  );
  return { ...child.ready, stop: child.stop };
}
