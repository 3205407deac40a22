import { AsyncLocalStorage } from "node:async_hooks";
import { dynamo } from "@m3bc/aws";
import { grantsTableAction, type Topology } from "@m3bc/topology";

/** A call the topology does not grant, refused as IAM would refuse it in the cloud. */
export interface AccessDenied {
  functionName: string;
  /** e.g. "dynamodb:Scan" */
  action: string;
  /** e.g. "table/parked" or "table/ledger/index/open-orders" */
  resource: string;
}

/** The function whose handler is running: every handler shares this process, unlike in Lambda. */
const running = new AsyncLocalStorage<string>();

/** Runs `handler` as function `functionName`: the calls it makes are checked against that function's grants. */
export const asFunction =
  <A extends unknown[], R>(functionName: string, handler: (...args: A) => R) =>
  (...args: A): R =>
    running.run(functionName, () => handler(...args));

interface TableInput {
  TableName?: string;
  IndexName?: string;
  RequestItems?: Record<string, unknown>;
}

/**
 * IAM, locally: a handler's DynamoDB call that the topology does not grant its function is refused with an
 * AccessDeniedException and recorded in `denied`, so a missing grant fails in `pnpm dev` and in the tests rather
 * than after a deploy. Calls made outside a handler (tools, tests) are not checked. `tables` maps topology names
 * to the tables' local names.
 */
export function guardTableGrants(topology: Topology, tables: Record<string, string>, denied: AccessDenied[]) {
  const byLocalName = new Map(Object.entries(tables).map(([name, local]) => [local, name]));
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const functionName = running.getStore();
      if (functionName) {
        const action = context.commandName?.replace(/Command$/, "") ?? "unknown";
        const input = args.input as TableInput;
        const targets = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {});
        for (const local of targets) {
          const table = byLocalName.get(local) ?? local;
          if (grantsTableAction(topology, functionName, table, action, input.IndexName)) continue;
          const refused = {
            functionName,
            action: `dynamodb:${action}`,
            resource: `table/${table}${input.IndexName ? `/index/${input.IndexName}` : ""}`,
          };
          denied.push(refused);
          throw Object.assign(
            new Error(
              `${functionName} is not authorized to perform: ${refused.action} on resource: ${refused.resource} (the topology does not grant it: packages/topology/src/topology.ts)`,
            ),
            { name: "AccessDeniedException" },
          );
        }
      }
      return next(args);
    },
    { step: "initialize", name: "topologyTableGrants", override: true },
  );
}
