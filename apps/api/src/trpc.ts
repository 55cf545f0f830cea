import type { IncomingMessage } from 'node:http';
import { findKey, type MerchantKey } from '@kassa/db';
import { initTRPC } from '@trpc/server';
import type { ApiDeps } from './deps';
import { describeInvalidInput, kassaCodeOf, toTrpcError } from './errors';
import type { Logger } from './logger';
import { takeToken } from './rate-limit';

export type Context = Readonly<{
  deps: ApiDeps;
  log: Logger;
  bearer: string | null;
  publishableKey: string | null;
  idempotencyKey: string | null;
  clientIp: string;
}>;

export function createContext(deps: ApiDeps, req: IncomingMessage): Context {
  const auth = header(req, 'authorization');
  return {
    deps,
    log: deps.log,
    bearer: auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : null,
    publishableKey: header(req, 'x-kassa-publishable-key'),
    idempotencyKey: header(req, 'idempotency-key'),
    clientIp: req.socket.remoteAddress ?? 'unknown',
  };
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const t = initTRPC.context<Context>().create({
  // Never a stack trace out; merchants get a stable code beside tRPC's own.
  isDev: false,
  errorFormatter({ shape, error, input, path }) {
    const kassaCode = kassaCodeOf(error);
    const invalid = kassaCode === 'input_invalid' ? describeInvalidInput(error, input, path) : null;
    const message =
      kassaCode === 'internal' ? 'Something went wrong on our side.' : (invalid?.message ?? shape.message);
    return {
      ...shape,
      message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        kassaCode,
        ...(invalid?.issues ? { issues: invalid.issues } : {}),
      },
    };
  },
});

export const router = t.router;

/** Merchant procedures: `Authorization: Bearer sk_test_…|sk_live_…`. */
export const merchantProcedure = t.procedure.use(async function requireSecretKey({ ctx, next }) {
  const key = await authenticate(ctx, ctx.bearer, 'secret');
  if (ctx.idempotencyKey !== null && !IDEMPOTENCY_KEY.test(ctx.idempotencyKey)) {
    throw toTrpcError({
      code: 'input_invalid',
      message: 'Idempotency-Key must be 1 to 255 printable ASCII characters.',
    });
  }
  return next({ ctx: { merchant: key, log: ctx.log.child({ merchantId: key.merchantId, mode: key.mode }) } });
});

/** Public widget procedures: `x-kassa-publishable-key: pk_…`, rate limited per client address. */
export const checkoutProcedure = t.procedure.use(async function requirePublishableKey({ ctx, next }) {
  if (!takeToken(ctx.clientIp, ctx.deps.clock().getTime())) {
    throw toTrpcError({ code: 'rate_limited', message: 'Too many requests; slow down.' });
  }
  const key = await authenticate(ctx, ctx.publishableKey, 'publishable');
  return next({ ctx: { merchant: key } });
});

async function authenticate(
  ctx: Context,
  presented: string | null,
  kind: MerchantKey['kind'],
): Promise<MerchantKey> {
  const expected = kind === 'secret' ? /^sk_(test|live)_/ : /^pk_(test|live)_/;
  // Built only when refused: an error captures a stack, too dear for every accepted call.
  const unauthorized = () =>
    toTrpcError({
      code: 'unauthorized',
      message:
        kind === 'secret'
          ? 'A valid secret key is required (Authorization: Bearer sk_…).'
          : 'A valid publishable key is required.',
    });
  if (!presented || !expected.test(presented)) throw unauthorized();
  // Lookup is by SHA-256 of the key through a unique index: no secret is ever compared as a string.
  const key = await findKey(ctx.deps.db, presented);
  if (!key || key.kind !== kind) throw unauthorized();
  if (key.mode === 'live' && ctx.deps.gatewayMode === 'test') {
    throw toTrpcError({
      code: 'live_key_in_test_gateway',
      message: 'This gateway runs in test mode and refuses live keys.',
    });
  }
  return key;
}
