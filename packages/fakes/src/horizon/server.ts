import { header, readBody } from '../http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StrKey } from '@stellar/stellar-sdk';
import type { Result } from '../result';
import { itemsOf, type Collection } from './collections';
import type { JsonObject } from './json';
import {
  latestHeader,
  latestLedger,
  ledgerHeader,
  participants,
  type LedgerState,
  type TransactionRecord,
} from './ledger';
import { historyProblem, pageLinks, parsePageQuery, selectPage } from './paging';
import {
  badRequest,
  beforeHistory,
  notAcceptable,
  notFound,
  serverError,
  transactionFailed,
  transactionMalformed,
  unsupportedMediaType,
  type Problem,
} from './problems';
import { accountJson, feeStatsJson, ledgerJson, rootJson, transactionJson } from './records';
import type { Streams } from './stream';
import type { Submission } from './submit';

/** One request as the fake received it, for tests to assert on (say, a stream's reconnect cursor). */
export type RecordedRequest = Readonly<{
  method: string;
  /** Path without the query string. */
  path: string;
  /** Last value of each query parameter. */
  query: Readonly<Record<string, string>>;
  headers: Readonly<{
    accept: string | null;
    'last-event-id': string | null;
    'content-type': string | null;
  }>;
  status: number;
  /** Answered with an event stream rather than JSON. */
  streamed: boolean;
}>;

export type HandlerContext = Readonly<{
  state: LedgerState;
  networkPassphrase: string;
  /** Where the fake listens; links use the Host the client sent, falling back to this. */
  url: string;
  now(): Date;
  strictHistory: boolean;
  streams: Streams;
  submit(envelopeXdr: string): Submission;
  /** Friendbot: funds a new account, or the problem friendbot answers. */
  fund(address: string): Result<TransactionRecord, Problem>;
  record(request: RecordedRequest): void;
}>;

type Reply =
  | Readonly<{ type: 'resource'; body: JsonObject }>
  | Readonly<{ type: 'problem'; problem: Problem }>
  | Readonly<{
      type: 'stream';
      collection: Collection;
      cursor: bigint | null;
      limit: number;
      includeFailed: boolean;
      joinTransactions: boolean;
    }>;

type Request = Readonly<{
  path: string;
  query: URLSearchParams;
  base: string;
  lastEventId: string | null;
  wantsStream: boolean;
}>;

/** Horizon's HTTP surface, as far as a payment gateway uses it. */
export function createRequestHandler(ctx: HandlerContext) {
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-horizon.invalid');
    const method = req.method ?? 'GET';
    const accept = header(req, 'accept');
    const request: Request = {
      path: url.pathname,
      query: url.searchParams,
      base: baseUrl(req, ctx.url),
      lastEventId: header(req, 'last-event-id'),
      wantsStream: (accept ?? '').includes('text/event-stream'),
    };
    let reply: Reply;
    if (method === 'POST' && request.path === '/transactions') {
      reply = await submitTransaction(req, request);
    } else if (method === 'GET' || method === 'HEAD') {
      reply = get(request);
      if (request.wantsStream && reply.type === 'resource')
        reply = { type: 'problem', problem: notAcceptable() };
    } else {
      await readBody(req);
      reply = { type: 'problem', problem: notFound() };
    }

    ctx.record({
      method,
      path: request.path,
      query: Object.fromEntries(url.searchParams),
      headers: { accept, 'last-event-id': request.lastEventId, 'content-type': header(req, 'content-type') },
      status: reply.type === 'problem' ? reply.problem.status : 200,
      streamed: reply.type === 'stream',
    });

    switch (reply.type) {
      case 'resource':
        return send(res, 200, 'application/hal+json; charset=utf-8', reply.body);
      case 'problem':
        return send(res, reply.problem.status, 'application/problem+json; charset=utf-8', reply.problem.body);
      case 'stream': {
        const { collection, includeFailed, joinTransactions } = reply;
        ctx.streams.open(
          res,
          (cursor) =>
            itemsOf(ctx.state, collection, includeFailed)
              .filter((item) => cursor === null || item.token > cursor)
              .map((item) => ({ token: item.token, data: item.json(request.base, joinTransactions) })),
          reply.cursor,
          reply.limit,
          commonHeaders(),
        );
        return;
      }
      default: {
        const unexpected: never = reply;
        return unexpected;
      }
    }
  }

  function get(request: Request): Reply {
    const { path, base } = request;
    const state = ctx.state;
    let match: RegExpExecArray | null;

    if (path === '/') {
      return resource(
        rootJson(
          {
            latest: latestHeader(state),
            elderLedger: state.elderLedger,
            networkPassphrase: ctx.networkPassphrase,
          },
          base,
        ),
      );
    }
    if (path === '/friendbot' || path === '/friendbot/') {
      const funded = ctx.fund(request.query.get('addr') ?? '');
      return funded.ok ? resource(transactionJson(funded.value, base)) : problem(funded.error);
    }
    if (path === '/fee_stats') return resource(feeStatsJson(latestLedger(state)));
    if ((match = /^\/accounts\/([^/]+)$/.exec(path))) {
      const id = segment(match[1]);
      if (!StrKey.isValidEd25519PublicKey(id)) return problem(invalidAccountId());
      const account = state.accounts.get(id);
      if (!account) return problem(notFound());
      return resource(accountJson(account, base, (ledger) => ledgerHeader(state, ledger)?.closedAt ?? null));
    }
    if ((match = /^\/accounts\/([^/]+)\/(payments|operations|transactions)$/.exec(path))) {
      const id = segment(match[1]);
      if (!StrKey.isValidEd25519PublicKey(id)) return problem(invalidAccountId());
      return collection(request, byAccount(match[2], id));
    }
    if ((match = /^\/transactions\/([^/]+)$/.exec(path))) {
      const hash = segment(match[1]);
      if (!/^[0-9a-f]{64}$/.test(hash)) return problem(badRequest('tx_id', 'invalid hash format'));
      const tx = state.byHash.get(hash);
      if (!tx || tx.ledger < state.elderLedger) return problem(notFound());
      return resource(transactionJson(tx, base, hash));
    }
    if ((match = /^\/transactions\/([^/]+)\/(payments|operations)$/.exec(path))) {
      const tx = state.byHash.get(segment(match[1]));
      if (!tx || tx.ledger < state.elderLedger) return problem(notFound());
      return collection(request, {
        kind: 'operations',
        paymentsOnly: match[2] === 'payments',
        matches: (op) => op.transactionHash === tx.hash,
      });
    }
    if (path === '/payments' || path === '/operations') {
      return collection(request, {
        kind: 'operations',
        paymentsOnly: path === '/payments',
        matches: () => true,
      });
    }
    if (path === '/transactions') return collection(request, { kind: 'transactions', matches: () => true });
    if ((match = /^\/ledgers\/(\d{1,10})$/.exec(path))) {
      const sequence = Number(match[1]);
      if (sequence < state.elderLedger) return problem(beforeHistory());
      const found = ledgerHeader(state, sequence);
      return found ? resource(ledgerJson(found, base)) : problem(notFound());
    }
    return problem(notFound());
  }

  function collection(request: Request, of: Collection): Reply {
    const parsed = parsePageQuery(request.query, request.lastEventId, latestLedger(ctx.state));
    if (!parsed.ok) return problem(parsed.error);
    const query = parsed.value;
    if (query.joinTransactions && of.kind !== 'operations') {
      return problem(badRequest('join', 'join is only supported on operations and payments'));
    }
    // Streams always run forward in time, whatever `order` says.
    const gone = historyProblem(
      request.wantsStream ? { ...query, order: 'asc' } : query,
      ctx.state.elderLedger,
      ctx.strictHistory,
    );
    if (gone) return problem(gone);
    if (request.wantsStream) {
      return {
        type: 'stream',
        collection: of,
        cursor: query.cursor,
        limit: query.limit,
        includeFailed: query.includeFailed,
        joinTransactions: query.joinTransactions,
      };
    }
    const page = selectPage(itemsOf(ctx.state, of, query.includeFailed), query);
    return resource({
      _links: pageLinks(
        request.base,
        request.path,
        query,
        page.map((item) => item.token),
      ),
      _embedded: { records: page.map((item) => item.json(request.base, query.joinTransactions)) },
    });
  }

  async function submitTransaction(req: IncomingMessage, request: Request): Promise<Reply> {
    const contentType = (header(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const body = await readBody(req);
    if (contentType !== '' && contentType !== 'application/x-www-form-urlencoded') {
      return problem(unsupportedMediaType());
    }
    if (!body.ok) return problem(badRequest('tx', body.error));
    const envelopeXdr = new URLSearchParams(body.value).get('tx') ?? '';
    if (envelopeXdr === '') return problem(badRequest('tx', 'Missing parameter'));

    const submission = ctx.submit(envelopeXdr);
    switch (submission.type) {
      case 'applied':
      case 'duplicate': {
        const { record } = submission;
        const hash = submission.type === 'duplicate' ? submission.hash : record.hash;
        return record.successful
          ? resource(transactionJson(record, request.base, hash))
          : problem(transactionFailed(envelopeXdr, record.resultXdr, record.resultCodes));
      }
      case 'rejected':
        return problem(transactionFailed(envelopeXdr, submission.resultXdr, submission.resultCodes));
      case 'malformed':
        return problem(transactionMalformed(envelopeXdr));
      default: {
        const unexpected: never = submission;
        return unexpected;
      }
    }
  }

  function commonHeaders(): Record<string, string> {
    return {
      // stellar-sdk's fetchTimebounds reads the server's clock from Date; keep it the fake's clock.
      Date: ctx.now().toUTCString(),
      'Latest-Ledger': String(latestLedger(ctx.state)),
      'Access-Control-Allow-Origin': '*',
    };
  }

  function send(res: ServerResponse, status: number, contentType: string, body: JsonObject): void {
    res.writeHead(status, {
      ...commonHeaders(),
      'Content-Type': contentType,
      'Cache-Control': 'no-cache, no-store, max-age=0',
    });
    // Horizon indents its JSON.
    res.end(JSON.stringify(body, null, 2));
  }

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    route(req, res).catch(() => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(res, 500, 'application/problem+json; charset=utf-8', serverError().body);
    });
  };
}

function byAccount(resource: string | undefined, accountId: string): Collection {
  if (resource === 'transactions') {
    return {
      kind: 'transactions',
      matches: (tx) =>
        tx.source.account === accountId ||
        tx.feeAccount.account === accountId ||
        tx.operations.some((op) => participants(op).includes(accountId)),
    };
  }
  return {
    kind: 'operations',
    paymentsOnly: resource === 'payments',
    matches: (op) => participants(op).includes(accountId),
  };
}

function resource(body: JsonObject): Reply {
  return { type: 'resource', body };
}

function problem(p: Problem): Reply {
  return { type: 'problem', problem: p };
}

function invalidAccountId(): Problem {
  return badRequest('account_id', 'Account ID must start with `G` and contain 56 alphanum characters');
}

/** A path segment decoded; a malformed escape stays as sent and simply matches nothing. */
function segment(text: string | undefined): string {
  try {
    return decodeURIComponent(text ?? '');
  } catch {
    return text ?? '';
  }
}

/** Links point where the client came from (the Host it used), like Horizon's. */
function baseUrl(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)
    ? `http://${host}`
    : fallback;
}
