import { describe, expect, test } from "vitest";
import { RateBudget } from "../src/index";
import { fakeClock } from "./support";

const headers = (left: number, resetMs: number, quota = 150) =>
  new Headers({
    "X-Rate-Limit-Requests-Left": String(left),
    "X-Rate-Limit-Time-Reset-Ms": String(resetMs),
    "X-Rate-Limit-Requests-Quota": String(quota),
    "X-Rate-Limit-Time-Window-Ms": "30000",
  });

describe("rate budget", () => {
  test("with plenty left, requests go at once", async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ clock });
    await budget.acquire();
    budget.settle(headers(149, 30_000));
    await budget.acquire();
    budget.settle(headers(148, 29_000));
    expect(clock.sleeps).toEqual([]);
  });

  test("until the first answer, only one request is in flight", async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ clock, pollMs: 10 });
    await budget.acquire();
    let second = false;
    const waiting = budget.acquire().then(() => {
      second = true;
    });
    await Promise.resolve();
    expect(second).toBe(false);
    budget.settle(headers(149, 30_000));
    await waiting;
    expect(second).toBe(true);
  });

  test("below half the quota it spreads the rest over the window; at the reserve it waits for the reset", async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ clock, reserveRatio: 0.1 });
    await budget.acquire();
    budget.settle(headers(60, 10_000, 150));
    await budget.acquire();
    // 60 left − 15 reserved = 45 usable over 10 s: about 222 ms apart.
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeCloseTo(10_000 / 45, 0);
    budget.settle(headers(15, 5_000, 150));
    await budget.acquire();
    expect(clock.sleeps.at(-1)).toBe(5_000);
    expect(budget.state().left).toBe(149);
  });

  test("a 429 blocks every caller until the time it named", async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ clock });
    await budget.acquire();
    budget.settle(headers(100, 30_000));
    budget.blockUntil(clock.now() + 2_000);
    await budget.acquire();
    expect(clock.sleeps).toEqual([2_000]);
  });

  test("the shared budget is one object per store", () => {
    expect(RateBudget.shared("abc")).toBe(RateBudget.shared("abc"));
    expect(RateBudget.shared("abc")).not.toBe(RateBudget.shared("xyz"));
  });
});
