/**
 * Lists every item of a collection in pages (`limit` + `continue`). All pages of one paginated list are served
 * from the snapshot of the first page (Kubernetes API concepts, "Retrieving large results sets in chunks"), so
 * the first page's resourceVersion is the list's resourceVersion.
 */
export interface ListPage<T> {
  items?: T[];
  metadata?: { _continue?: string; continue?: string; resourceVersion?: string };
}

export const DEFAULT_PAGE_SIZE = 500;

export async function listAllPages<T>(
  fetchPage: (cont: string | undefined, limit: number) => Promise<ListPage<T>>,
  limit = DEFAULT_PAGE_SIZE,
): Promise<{ items: T[]; resourceVersion: string }> {
  const items: T[] = [];
  let cont: string | undefined;
  let resourceVersion: string | undefined;
  // A server that keeps answering with a continue token forever would loop forever: bound the pages.
  for (let page = 0; page < 100_000; page++) {
    const res = await fetchPage(cont, limit);
    items.push(...(res.items ?? []));
    resourceVersion ??= res.metadata?.resourceVersion;
    // Typed models name it `_continue`; raw JSON (custom objects) keeps `continue`.
    cont = res.metadata?._continue || res.metadata?.continue || undefined;
    if (!cont) return { items, resourceVersion: resourceVersion ?? "" };
  }
  throw new Error("list did not terminate after 100000 pages");
}
