/**
 * The three ways BigCommerce pages a list: V2 page/limit until a short page or a 204; V3
 * meta.pagination (page of total_pages); customers' cursor paging (meta.cursor_pagination).
 */

/** V2: asks page 1, 2, … and stops at a page shorter than `limit` (a 204 arrives as []). */
export async function* paginateV2<T>(
  fetchPage: (page: number, limit: number) => Promise<T[]>,
  limit = 250,
): AsyncGenerator<T> {
  for (let page = 1; ; page++) {
    const items = await fetchPage(page, limit);
    yield* items;
    if (items.length < limit) return;
  }
}

export interface V3Page<T> {
  data: T[];
  meta: { pagination?: { current_page: number; total_pages: number } | undefined };
}

/** V3: follows meta.pagination until current_page reaches total_pages (or a page comes back empty). */
export async function* paginateV3<T>(fetchPage: (page: number) => Promise<V3Page<T>>): AsyncGenerator<T> {
  for (let page = 1; ; page++) {
    const { data, meta } = await fetchPage(page);
    yield* data;
    const p = meta.pagination;
    // Our own page count decides too: a server that keeps saying "page 1 of 2" must not keep us paging forever.
    if (data.length === 0 || !p || Math.max(p.current_page, page) >= p.total_pages) return;
  }
}

export interface CursorPage<T> {
  data: T[];
  meta: {
    cursor_pagination?:
      | {
          end_cursor: string;
          per_page: number;
          links?: { next?: string | null | undefined } | undefined;
        }
      | undefined;
  };
}

/**
 * Cursor paging: passes end_cursor as `after` while there may be more. customers.v3.yml documents links.next as
 * "the next page" but not whether it is left out on the last one, so a full page (count = per_page) asks once
 * more too; an empty page ends it.
 */
export async function* paginateCursor<T>(
  fetchPage: (after: string | undefined) => Promise<CursorPage<T>>,
): AsyncGenerator<T> {
  let after: string | undefined;
  for (;;) {
    const { data, meta } = await fetchPage(after);
    yield* data;
    const cursor = meta.cursor_pagination;
    if (data.length === 0 || !cursor?.end_cursor) return;
    if (!cursor.links?.next && data.length < cursor.per_page) return;
    after = cursor.end_cursor;
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
