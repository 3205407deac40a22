import type { AddressInfo } from "node:net";
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

/** SQS (fauxqs) and DynamoDB (dynalite, in memory) on loopback ports chosen by the OS. */
export async function startEmulatorsInProcess(): Promise<Emulators> {
  const sqs = await startFauxqs({ port: 0, logger: false });
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
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
export async function spawnEmulators(): Promise<Emulators> {
  const child = await spawnChild<EmulatorEndpoints>(new URL("./main.ts", import.meta.url), {}, "emulators");
  return { ...child.ready, stop: child.stop };
}
