import type { AppTopology } from "./topology";

type Functions = AppTopology["functions"];
type Tables = AppTopology["tables"];

/**
 * What the functions read of the topology at run time: each function's flow and trigger, each queue's FIFO flag,
 * the tables' TTL attributes and the schedules' periods. infra/ compiles this into every bundle (packages/aws
 * runtime-topology.ts); the rest (grants, secrets, memory, retention, indexes, alarms) is the deployment's.
 */
export interface RuntimeTopology {
  functions: { [F in keyof Functions]: Pick<Functions[F], "flow" | "trigger"> };
  queues: { [Q in keyof AppTopology["queues"]]: { fifo: AppTopology["queues"][Q]["fifo"] } };
  tables: {
    [T in keyof Tables]: Tables[T] extends { ttlAttribute: infer A } ? { ttlAttribute: A } : object;
  };
  schedules: { [S in keyof AppTopology["schedules"]]: { everyMinutes: number } };
}

const mapValues = <O extends object, R>(object: O, f: (value: O[keyof O]) => R) =>
  Object.fromEntries(Object.entries(object).map(([key, value]) => [key, f(value)]));

/** The RuntimeTopology of a topology. */
export const runtimeView = (topology: AppTopology): RuntimeTopology =>
  ({
    functions: mapValues(topology.functions, ({ flow, trigger }) => ({ flow, trigger })),
    queues: mapValues(topology.queues, ({ fifo }) => ({ fifo })),
    tables: mapValues(topology.tables, (table) =>
      "ttlAttribute" in table ? { ttlAttribute: table.ttlAttribute } : {},
    ),
    schedules: mapValues(topology.schedules, ({ everyMinutes }) => ({ everyMinutes })),
  }) as RuntimeTopology;
