/** V3 webhooks management: list, create, get, update (reactivate), delete. */
import {
  boolParam,
  invalidJson,
  ok,
  paginate,
  type Route,
  type SimRequest,
  type SimResponse,
  v3Error,
} from "./http";
import type { Store } from "./store";
import { boolean, check, nullable, object, string, stringMap } from "./validate";
import type { Hook } from "./webhooks";

/** At most 10 hooks per store + client + scope (overview.mdx §Platform limits). */
export const HOOKS_PER_SCOPE = 10;

const fields = {
  scope: string({ min: 1, pattern: /^store\/[a-z0-9_*/]+$/i }),
  destination: string({ min: 1, max: 2048 }),
  is_active: boolean(),
  headers: nullable(stringMap()),
};

export function hookRoutes(store: Store): Route[] {
  const { webhooks, options } = store;

  const hookJson = (h: Hook) => ({
    id: h.id,
    client_id: h.clientId,
    store_hash: options.storeHash,
    scope: h.scope,
    destination: h.destination,
    headers: h.headers,
    is_active: h.isActive,
    created_at: h.createdAt,
    updated_at: h.updatedAt,
  });

  const notFound = (id: string) => v3Error(404, `Webhook with id [${id}] not found`);

  /** Real stores take only https on port 443; the local stack uses http://127.0.0.1, so it is opt-in. */
  const destinationProblem = (destination: string): string | undefined => {
    let url: URL;
    try {
      url = new URL(destination);
    } catch {
      return "error.invalid.url";
    }
    if (!options.requireHttpsDestinations)
      return url.protocol === "http:" || url.protocol === "https:" ? undefined : "error.invalid.url";
    if (url.protocol !== "https:") return "destination must use https";
    if (url.port !== "" && url.port !== "443") return "destination must use port 443";
    return undefined;
  };

  const clash = (scope: string, destination: string, exceptId?: number): SimResponse | undefined => {
    const same = [...webhooks.hooks.values()].filter((h) => h.scope === scope && h.id !== exceptId);
    // [guess] BigCommerce documents the limits but not the status it answers with.
    if (same.some((h) => h.destination === destination))
      return v3Error(422, "JSON data is missing or invalid", {
        destination: `a hook for scope ${scope} and this destination already exists`,
      });
    if (same.length >= HOOKS_PER_SCOPE)
      return v3Error(422, "JSON data is missing or invalid", {
        scope: `at most ${HOOKS_PER_SCOPE} hooks per scope`,
      });
    return undefined;
  };

  const list = (req: SimRequest): SimResponse => {
    const active = boolParam(req.query, "is_active");
    const scope = req.query.get("scope");
    const destination = req.query.get("destination");
    const selected = [...webhooks.hooks.values()].filter(
      (h) =>
        h.clientId === options.clientId &&
        (active === undefined || h.isActive === active) &&
        (scope === null || h.scope === scope) &&
        (destination === null || h.destination === destination),
    );
    const { page, meta } = paginate(selected, req.query);
    return ok({ data: page.map(hookJson), meta });
  };

  const create = (req: SimRequest): SimResponse => {
    const parsed = check(object(fields, ["scope", "destination"]), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const { scope, destination } = parsed.value;
    const problem = destinationProblem(destination);
    if (problem) return invalidJson({ destination: problem });
    const conflict = clash(scope, destination);
    if (conflict) return conflict;
    const hook = webhooks.create({
      clientId: options.clientId,
      scope,
      destination,
      headers: parsed.value.headers ?? null,
      isActive: parsed.value.is_active ?? true,
    });
    return ok({ data: hookJson(hook), meta: {} });
  };

  const withHook =
    (handler: (hook: Hook, req: SimRequest) => SimResponse) =>
    (req: SimRequest): SimResponse => {
      const hook = webhooks.hooks.get(Number(req.params.webhook_id));
      return hook && hook.clientId === options.clientId
        ? handler(hook, req)
        : notFound(req.params.webhook_id!);
    };

  const update = withHook((hook, req) => {
    const parsed = check(object(fields), req.body);
    if (!parsed.ok) return invalidJson(parsed.errors);
    const changes = parsed.value;
    if (Object.keys(changes).length === 0) return invalidJson({ body: "at least one field is required" });
    if (changes.destination !== undefined) {
      const problem = destinationProblem(changes.destination);
      if (problem) return invalidJson({ destination: problem });
    }
    const conflict = clash(changes.scope ?? hook.scope, changes.destination ?? hook.destination, hook.id);
    if (conflict) return conflict;
    if (changes.scope !== undefined) hook.scope = changes.scope;
    if (changes.destination !== undefined) hook.destination = changes.destination;
    if (changes.is_active !== undefined) hook.isActive = changes.is_active;
    if (changes.headers !== undefined) hook.headers = changes.headers;
    hook.updatedAt = Math.floor(Date.now() / 1000);
    return ok({ data: hookJson(hook), meta: {} });
  });

  return [
    { method: "GET", pattern: "/v3/hooks", handler: list },
    { method: "POST", pattern: "/v3/hooks", handler: create },
    {
      method: "GET",
      pattern: "/v3/hooks/{webhook_id}",
      handler: withHook((hook) => ok({ data: hookJson(hook), meta: {} })),
    },
    { method: "PUT", pattern: "/v3/hooks/{webhook_id}", handler: update },
    {
      method: "DELETE",
      pattern: "/v3/hooks/{webhook_id}",
      handler: withHook((hook) => {
        webhooks.hooks.delete(hook.id);
        return ok({ data: hookJson(hook), meta: {} });
      }),
    },
  ];
}
