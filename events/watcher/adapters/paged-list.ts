import type { ListPage } from "../../../lib/adapters/kube/paging";

/** Page size of the watcher's lists: client-go's reflector lists in pages of 500 (tools/pager, PageSize 500). */
export const LIST_PAGE_SIZE = 500;

/**
 * Lists a collection in pages (`limit` + `continue`) and hands each page's items to `onPage` before asking for the
 * next, so the caller can reduce them and let them go (unlike lib/adapters/kube/paging.ts listAllPages, which
 * collects everything). All pages are served from the first page's snapshot, whose resourceVersion is the list's
 * (Kubernetes API concepts, "Retrieving large results sets in chunks").
 */
export async function listInPages<T>(
  fetchPage: (cont: string | undefined, limit: number) => Promise<ListPage<T>>,
  onPage: (items: T[]) => void,
  limit = LIST_PAGE_SIZE,
): Promise<{ resourceVersion: string }> {
  let cont: string | undefined;
  let resourceVersion: string | undefined;
  // A server that keeps answering with a continue token forever would loop forever: bound the pages.
  for (let page = 0; page < 100_000; page++) {
    const res = await fetchPage(cont, limit);
    onPage(res.items ?? []);
    resourceVersion ??= res.metadata?.resourceVersion;
    // Typed models name it `_continue`; raw JSON (custom objects) keeps `continue`.
    cont = res.metadata?._continue || res.metadata?.continue || undefined;
    if (!cont) return { resourceVersion: resourceVersion ?? "" };
  }
  throw new Error("list did not terminate after 100000 pages");
}
