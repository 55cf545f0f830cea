import { err, ok, type Result } from '../result';
import { MAX_INT64 } from './amount';
import { link, type JsonObject } from './json';
import { badRequest, beforeHistory, type Problem } from './problems';
import { afterLedger, ledgerOfToid, toid } from './toid';

// Horizon's paging: `cursor` (a paging token, `now`, or nothing), `order`, `limit` 1–200 (10 unless
// told), results strictly after the cursor, and links that carry the last token forward.

export type PageOrder = 'asc' | 'desc';

export type PageQuery = Readonly<{
  /** null: from the oldest record (asc) or the newest (desc). */
  cursor: bigint | null;
  order: PageOrder;
  limit: number;
  includeFailed: boolean;
  joinTransactions: boolean;
}>;

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 200;

/** `Last-Event-ID` wins over `cursor`, as on Horizon, for pages and streams alike. */
export function parsePageQuery(
  query: URLSearchParams,
  lastEventId: string | null,
  latestLedger: number,
): Result<PageQuery, Problem> {
  const cursor = parseCursor(lastEventId ?? query.get('cursor') ?? '', latestLedger);
  if (!cursor.ok) return cursor;

  const orderText = query.get('order') ?? '';
  if (orderText !== '' && orderText !== 'asc' && orderText !== 'desc') {
    return err(badRequest('order', 'order: invalid value; use asc or desc'));
  }
  const order: PageOrder = orderText === 'desc' ? 'desc' : 'asc';

  const limitText = query.get('limit') ?? '';
  const limit = limitText === '' ? DEFAULT_LIMIT : /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    return err(badRequest('limit', `limit: must be an integer between 1 and ${MAX_LIMIT}`));
  }

  const includeFailed = query.get('include_failed') ?? '';
  if (includeFailed !== '' && includeFailed !== 'true' && includeFailed !== 'false') {
    return err(badRequest('include_failed', 'invalid bool value'));
  }

  const join = query.get('join') ?? '';
  if (join !== '' && join !== 'transactions') {
    return err(badRequest('join', 'Accepted values: transactions'));
  }

  return ok({
    cursor: cursor.value,
    order,
    limit,
    includeFailed: includeFailed === 'true',
    joinTransactions: join !== '',
  });
}

function parseCursor(text: string, latestLedger: number): Result<bigint | null, Problem> {
  if (text === '') return ok(null);
  // `now` is pinned to the latest closed ledger when the request arrives, so records of every later
  // ledger come after it; links then carry the number, not `now`.
  if (text === 'now') return ok(afterLedger(latestLedger));
  if (!/^\d{1,19}$/.test(text) || BigInt(text) > MAX_INT64)
    return err(badRequest('cursor', 'cursor: invalid value'));
  return ok(BigInt(text));
}

/**
 * 410 before_history where Horizon answers it: a descending query from at or before the oldest
 * retained ledger. An ascending query (and so every stream) silently starts at the oldest retained
 * ledger instead, unless `strict` asks the fake to refuse it too.
 */
export function historyProblem(query: PageQuery, elderLedger: number, strict: boolean): Problem | null {
  if (query.cursor === null) return null;
  if (query.order === 'desc') return query.cursor <= toid(elderLedger, 0, 0) ? beforeHistory() : null;
  return strict && ledgerOfToid(query.cursor) < elderLedger ? beforeHistory() : null;
}

/** The records of one page, in the order asked for. `items` must be ascending. */
export function selectPage<T extends Readonly<{ token: bigint }>>(
  items: readonly T[],
  query: PageQuery,
): T[] {
  const { cursor } = query;
  if (query.order === 'asc') {
    return items.filter((item) => cursor === null || item.token > cursor).slice(0, query.limit);
  }
  return items
    .filter((item) => cursor === null || item.token < cursor)
    .reverse()
    .slice(0, query.limit);
}

/** self, next and prev, as in fixtures/stellar/payments.page*.json; an empty page keeps its cursor. */
export function pageLinks(
  base: string,
  path: string,
  query: PageQuery,
  tokens: readonly bigint[],
): JsonObject {
  const cursor = query.cursor === null ? '' : query.cursor.toString();
  const extra =
    (query.joinTransactions ? '&join=transactions' : '') +
    (query.includeFailed ? '&include_failed=true' : '');
  const href = (at: string, order: PageOrder) =>
    `${base}${path}?cursor=${at}&limit=${query.limit}&order=${order}${extra}`;
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  return {
    self: link(href(cursor, query.order)),
    next: link(href(last === undefined ? cursor : last.toString(), query.order)),
    prev: link(href(first === undefined ? cursor : first.toString(), query.order === 'asc' ? 'desc' : 'asc')),
  };
}
