import { startEmulatorsInProcess } from "./emulators";

const emulators = await startEmulatorsInProcess(process.env.M3BC_EMULATOR_DATA || undefined);
process.stdout.write(
  `${JSON.stringify({ sqsEndpoint: emulators.sqsEndpoint, dynamoEndpoint: emulators.dynamoEndpoint })}\n`,
);
const stop = () => emulators.stop().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
