import { describe, expect, test } from "vitest";
import { collect, paginateV3 } from "../src";

describe("paginateV3", () => {
  test("pages until the last page by meta.pagination", async () => {
    const pages = [["a", "b"], ["c"]];
    const asked: number[] = [];
    const items = await collect(
      paginateV3(async (page) => {
        asked.push(page);
        return { data: pages[page - 1] ?? [], meta: { pagination: { current_page: page, total_pages: 2 } } };
      }),
    );
    expect(items).toEqual(["a", "b", "c"]);
    expect(asked).toEqual([1, 2]);
  });

  test("stops after total_pages even if the server keeps answering page 1", async () => {
    const asked: number[] = [];
    const items = await collect(
      paginateV3(async (page) => {
        asked.push(page);
        return { data: [page], meta: { pagination: { current_page: 1, total_pages: 3 } } };
      }),
    );
    expect(asked).toEqual([1, 2, 3]);
    expect(items).toEqual([1, 2, 3]);
  });
});
