import fc from "fast-check";

/** One HTTP answer, as recorded from a simulator or made up by the fuzzer. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A fetch that passes every request to the real one and records the answers. */
export function recordingFetch(log: Answer[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const body = await response.text();
    log.push({ status: response.status, headers: Object.fromEntries(response.headers), body });
    return new Response(nullBodyStatus(response.status) ? null : body, {
      status: response.status,
      headers: response.headers,
    });
  };
}

const nullBodyStatus = (status: number) => status === 204 || status === 205 || status === 304;

/**
 * A fetch that never touches the network: it answers with `script` in turn, then replays `recorded` (the
 * genuine conversation) so that a client following pagination or retries always comes to an end.
 */
export function scriptedFetch(script: readonly Answer[], recorded: readonly Answer[]): typeof fetch {
  let call = 0;
  return async () => {
    const answer = script[call] ?? recorded[(call - script.length) % recorded.length]!;
    call++;
    return new Response(nullBodyStatus(answer.status) ? null : answer.body, {
      status: answer.status,
      headers: answer.headers,
    });
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

function pathsOf(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      pathsOf(child, path, out);
    }
  }
  return out;
}

/** Values a server, a proxy or a bad deploy might put where something else belongs. */
const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, "", " ", "abc", "1e309", "-0", "49.95000001", "NaN", true, [], {}),
  fc.constantFrom<Json>(-1, 0, 1.5, 2 ** 53 + 1, -1e21, 1e-7),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** Variations of a recorded JSON body: up to four fields removed or replaced by odd values. */
export function mutatedJson(sample: Json): fc.Arbitrary<Json> {
  const paths = pathsOf(sample);
  if (paths.length === 0) return oddValue;
  const edit = fc.record({ path: fc.constantFrom(...paths), remove: fc.boolean(), value: oddValue });
  return fc.array(edit, { maxLength: 4 }).map((edits) => {
    const copy = structuredClone(sample);
    for (const { path, remove, value } of edits) {
      let parent: Json = copy;
      for (const key of path.slice(0, -1)) {
        if (parent === null || typeof parent !== "object") break;
        parent = (parent as Record<string, Json>)[key] as Json;
      }
      if (parent === null || typeof parent !== "object") continue;
      const last = path[path.length - 1]!;
      if (remove && !Array.isArray(parent)) delete (parent as Record<string, Json>)[last];
      // A copy: constants such as {} are one object, and the same one set twice would make a cycle.
      else (parent as Record<string, Json>)[last] = structuredClone(value);
    }
    return copy;
  });
}

/** Rate-limit and retry headers with sensible, absurd or garbled values. */
const headerValue = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map(String),
  fc.constantFrom("-1", "1e9", "soon", "", "Wed, 21 Oct 2015 07:28:00 GMT"),
);
const headers = fc.record(
  {
    "x-rate-limit-requests-left": headerValue,
    "x-rate-limit-requests-quota": headerValue,
    "x-rate-limit-time-reset-ms": headerValue,
    "x-retry-after": headerValue,
    "retry-after": headerValue,
    "content-type": fc.constantFrom("application/json", "text/html", "application/problem+json"),
  },
  { requiredKeys: [] },
);

const status = fc.oneof(
  fc.constantFrom(200, 201, 204, 207, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504),
  fc.integer({ min: 200, max: 599 }),
);

/** What the service answers a call: most often its genuine answer, changed a little, else any status and junk. */
export function answerTo(genuine: Answer): fc.Arbitrary<Answer> {
  let sample: Json | undefined;
  try {
    sample = JSON.parse(genuine.body) as Json;
  } catch {
    sample = undefined;
  }
  const body = fc.oneof(
    {
      arbitrary:
        sample === undefined ? fc.constant(genuine.body) : mutatedJson(sample).map((j) => JSON.stringify(j)),
      weight: 6,
    },
    { arbitrary: fc.json({ maxDepth: 3 }), weight: 1 },
    { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
    { arbitrary: fc.constantFrom("", "<html>502 Bad Gateway</html>", "{", "null"), weight: 1 },
  );
  return fc.oneof(
    {
      arbitrary: fc.record({
        status: fc.constant(genuine.status),
        headers: fc.constant(genuine.headers),
        body,
      }),
      weight: 3,
    },
    { arbitrary: fc.record({ status, headers, body }), weight: 2 },
  );
}

/** A scripted conversation: for each call the genuine answer would be, a variation of it. */
export const conversation = (recorded: readonly Answer[]): fc.Arbitrary<Answer[]> =>
  fc.tuple(...recorded.map(answerTo));
