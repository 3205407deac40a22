import { type RuntimeTopology, runtimeView, topology } from "@m3bc/topology";

// infra/ compiles the topology's run-time part into each function as JSON text (esbuild `define`): a bundle then
// holds that instead of the whole topology (its grants, memory sizes and alarms, ≈ 5 KB). Locally it is derived.
declare const __RUNTIME_TOPOLOGY__: string | undefined;

// As in config.ts: the other branch stays inside the `typeof` test, so that esbuild drops it and the topology module.
export const runtimeTopology: RuntimeTopology =
  typeof __RUNTIME_TOPOLOGY__ === "string"
    ? (JSON.parse(__RUNTIME_TOPOLOGY__) as RuntimeTopology)
    : runtimeView(topology);
