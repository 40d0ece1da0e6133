import { invalidParameter } from "../http/errors";

/**
 * List paging as OCI does it: `limit` (1..1000 on the Core list operations) and an opaque `page` token that the
 * previous response returned in `opc-next-page` (absent on the last page)
 * (https://docs.oracle.com/en-us/iaas/Content/API/Concepts/usingapi.htm,
 * "Pagination"). Without `limit` the emulator answers pages of DEFAULT_PAGE_SIZE (OCI's per-operation defaults are
 * not documented in the stored copies; the value is the emulator's choice).
 */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function paginate<T>(items: T[], query: URLSearchParams): { page: T[]; nextPage?: string } {
  const limitText = query.get("limit");
  const limit = limitText === null ? DEFAULT_PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw invalidParameter(`limit must be an integer 1..${MAX_PAGE_SIZE}`);
  const pageText = query.get("page");
  let start = 0;
  if (pageText !== null) {
    const m = /^o:(\d+)$/.exec(Buffer.from(pageText, "base64url").toString());
    if (!m) throw invalidParameter("page is not a token this list returned");
    start = Number(m[1]);
  }
  const page = items.slice(start, start + limit);
  const end = start + page.length;
  return { page, nextPage: end < items.length ? Buffer.from(`o:${end}`).toString("base64url") : undefined };
}

/** A list reply: JSON array body + `opc-next-page` when more remain. */
export function listReply<T>(
  items: T[],
  query: URLSearchParams,
): { status: number; body: T[]; headers: Record<string, string> } {
  const { page, nextPage } = paginate(items, query);
  return { status: 200, body: page, headers: nextPage ? { "opc-next-page": nextPage } : {} };
}
