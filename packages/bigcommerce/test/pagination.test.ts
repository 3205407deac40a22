import { describe, expect, test } from "vitest";
import { collect, paginateCursor, paginateV3 } from "../src";

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

describe("paginateCursor", () => {
  const cursorServer = (items: number[], perPage: number, withNextLinks: boolean) => {
    const asked: (string | undefined)[] = [];
    const fetchPage = async (after: string | undefined) => {
      asked.push(after);
      const from = after === undefined ? 0 : Number(after);
      const data = items.slice(from, from + perPage);
      const end = String(from + data.length);
      const more = from + data.length < items.length;
      return {
        data,
        meta: {
          cursor_pagination: {
            end_cursor: end,
            per_page: perPage,
            links: withNextLinks && more ? { next: `?after=${end}` } : {},
          },
        },
      };
    };
    return { asked, fetchPage };
  };

  test("follows links.next to the last page", async () => {
    const server = cursorServer([1, 2, 3, 4, 5], 2, true);
    expect(await collect(paginateCursor(server.fetchPage))).toEqual([1, 2, 3, 4, 5]);
    expect(server.asked).toEqual([undefined, "2", "4"]);
  });

  test("without links.next (the docs do not promise one), a full page still asks for the next", async () => {
    const server = cursorServer([1, 2, 3, 4], 2, false);
    expect(await collect(paginateCursor(server.fetchPage))).toEqual([1, 2, 3, 4]);
    expect(server.asked).toEqual([undefined, "2", "4"]);
  });
});
