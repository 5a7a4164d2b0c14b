// Walks JD's page-numbered queries (pageNo from 1, eclp-api.md §3.6, §3.13, §3.14).

export interface Page<T> {
  items: T[];
  /** 1-based page number this page answers. */
  page: number;
  pageSize: number;
  /** Total number of items across all pages, when JD reports it. */
  total?: number;
}

export const DEFAULT_PAGE_SIZE = 100;
/** A gateway that ignores pageNo would otherwise be walked forever. */
const MAX_PAGES = 10_000;

/**
 * Yields every item of every page. Stops at an empty or short page, or once `total` items are covered.
 * Only an exact match with `total` ends the walk early: JD's meaning of some totals (queryStock's
 * `recordCount`) is inferred, not documented, and a wrong total must not cut the listing short.
 */
export async function* iteratePages<T>(fetchPage: (page: number, pageSize: number) => Promise<Page<T>>, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<T, void, undefined> {
  if (!Number.isInteger(pageSize) || pageSize <= 0) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  let received = 0;
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const { items, total } = await fetchPage(page, pageSize);
    yield* items;
    received += items.length;
    if (items.length === 0 || items.length < pageSize) return;
    if (total === received) return;
  }
  throw new Error(`paging did not end after ${MAX_PAGES} pages of ${pageSize}: the gateway seems to ignore pageNo`);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
