import type { ServerResponse } from 'node:http';
import type { JsonObject } from './json';

// Horizon's server-sent events (fixtures/stellar/sse.payments.txt): a preamble, one event per
// record with its paging token as `id`, and a close event after `limit` records, after which
// clients reconnect from their last id. No heartbeats, as on Horizon.

const PREAMBLE = 'retry: 1000\nevent: open\ndata: "hello"\n\n';
const GOODBYE = 'retry: 10\nevent: close\ndata: "byebye"\n\n';

/** Records after `cursor` (all of them for null), oldest first, as they should be sent. */
export type StreamFeed = (cursor: bigint | null) => readonly Readonly<{ token: bigint; data: JsonObject }>[];

export type Streams = Readonly<{
  open(
    res: ServerResponse,
    feed: StreamFeed,
    cursor: bigint | null,
    limit: number,
    headers: Record<string, string>,
  ): void;
  /** Sends every open stream what was recorded since its last event. */
  publish(): void;
  /** Ends every open stream with Horizon's close event. */
  endAll(): void;
  count(): number;
}>;

type OpenStream = {
  readonly res: ServerResponse;
  readonly feed: StreamFeed;
  cursor: bigint | null;
  /** Horizon closes a stream once it has sent `limit` records. */
  remaining: number;
  timer: NodeJS.Timeout | null;
};

/** `batchMs` also closes each stream that long after it opened, like a proxy cutting it off. */
export function createStreams(batchMs: number | null): Streams {
  const open = new Set<OpenStream>();

  function forget(stream: OpenStream): boolean {
    if (stream.timer) clearTimeout(stream.timer);
    return open.delete(stream);
  }

  function goodbye(stream: OpenStream): void {
    if (forget(stream)) stream.res.end(GOODBYE);
  }

  function send(stream: OpenStream): void {
    for (const record of stream.feed(stream.cursor)) {
      if (stream.remaining <= 0) break;
      stream.res.write(`id: ${record.token}\ndata: ${JSON.stringify(record.data)}\n\n`);
      stream.cursor = record.token;
      stream.remaining -= 1;
    }
    if (stream.remaining <= 0) goodbye(stream);
  }

  return {
    open(res, feed, cursor, limit, headers) {
      res.writeHead(200, {
        ...headers,
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      });
      res.write(PREAMBLE);
      const stream: OpenStream = { res, feed, cursor, remaining: limit, timer: null };
      open.add(stream);
      res.on('close', () => forget(stream));
      if (batchMs !== null) {
        stream.timer = setTimeout(() => goodbye(stream), batchMs);
        stream.timer.unref();
      }
      send(stream);
    },
    publish() {
      for (const stream of [...open]) send(stream);
    },
    endAll() {
      for (const stream of [...open]) goodbye(stream);
    },
    count: () => open.size,
  };
}
