import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { RequestBody } from './operations.ts';
import type { Row } from './report.ts';

/** What the realtime rows need of a running gateway. */
export interface RealtimeServer {
  url: string;
  /** Content type and the bench client's bearer token. */
  headers: Record<string, string>;
  pid: number | undefined;
}

const rssKb = (pid: number | undefined) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], share: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;

/**
 * Row (j): `subscribers` GraphQL-over-SSE subscribers of bookingChanged on
 * one gateway, then `bookings` bookings one after another. Publish-to-receive
 * is each event's arrival at each subscriber less its `occurredAt` (the
 * booking transaction's clock; same machine). Memory per subscriber is the
 * gateway's RSS growth while the subscribers connected, divided by their number.
 */
export async function subscribersRow(
  server: RealtimeServer,
  row: Row,
  options: { subscribers: number; bookings: number; accountId: string; nextBooking: () => RequestBody },
): Promise<void> {
  const query = `subscription BookingChanges($ids: [ID!]) { bookingChanged(accountIds: $ids) { occurredAt bookingId } }`;
  const latencies: number[] = [];
  const controllers: AbortController[] = [];
  const before = rssKb(server.pid);
  let connected = 0;
  const streams = Array.from({ length: options.subscribers }, async () => {
    const abort = new AbortController();
    controllers.push(abort);
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { ...server.headers, accept: 'text/event-stream' },
      body: JSON.stringify({ query, variables: { ids: [options.accountId] } }),
      signal: abort.signal,
    });
    if (response.status !== 200 || !response.body) throw new Error(`subscription answered ${response.status}: ${await response.text()}`);
    connected += 1;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!data || !block.includes('event: next')) continue;
          const occurredAt = (JSON.parse(data) as { data?: { bookingChanged?: { occurredAt: string } } }).data?.bookingChanged?.occurredAt;
          if (occurredAt) latencies.push(Date.now() - Date.parse(occurredAt));
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  });
  const failures: unknown[] = [];
  for (const stream of streams) stream.catch((error: unknown) => failures.push(error));
  for (let waited = 0; connected + failures.length < options.subscribers && waited < 60_000; waited += 100) await sleep(100);
  // Yoga subscribes once the stream is open; let the last ones settle before the memory is read.
  await sleep(1_000);
  const after = rssKb(server.pid);
  try {
    if (failures.length > 0) throw new Error(`${failures.length} subscriptions failed: ${String(failures[0])}`);
    for (let index = 0; index < options.bookings; index += 1) {
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: server.headers, body: JSON.stringify(options.nextBooking()) });
      const text = await response.text();
      if (!text.includes('CreateBookingSuccess')) throw new Error(`booking failed: ${text.slice(0, 300)}`);
      // Apart, so that each event is measured on its own rather than queued behind the last.
      await sleep(100);
    }
    const expected = options.subscribers * options.bookings;
    for (let waited = 0; latencies.length < expected && waited < 60_000; waited += 100) await sleep(100);
    const sorted = [...latencies].sort((a, b) => a - b);
    row.p50Ms = percentile(sorted, 0.5);
    row.p99Ms = percentile(sorted, 0.99);
    row.check = `${options.subscribers} subscribers × ${options.bookings} bookings: ${latencies.length}/${expected} events received; ${((after - before) / options.subscribers).toFixed(1)} KB RSS per subscriber`;
    row.subscribers = options.subscribers;
    row.memoryPerSubscriberKb = (after - before) / options.subscribers;
    if (latencies.length < expected) row.errors = expected - latencies.length;
  } finally {
    for (const controller of controllers) controller.abort();
    await Promise.allSettled(streams);
  }
}

/**
 * Row (k): `events` events written straight into the outbox of account 0,
 * for an endpoint whose receiver (in this process, on loopback) answers 204:
 * deliveries per second from the insert to the last distinct webhook-id
 * received. Every gateway process of the bench relays and delivers, as
 * instances of one deployment would.
 */
export async function webhooksRow(databaseUrl: string, row: Row, options: { events: number; accountId: string }): Promise<void> {
  const received = new Set<string>();
  let lastAt = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.add(String(request.headers['webhook-id']));
      lastAt = performance.now();
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let endpointId: string | undefined;
  try {
    endpointId = (
      await client.query<{ id: string }>(`INSERT INTO webhook_endpoints (account_id, url, secret, event_types) VALUES ($1, $2, $3, '{booking.created}') RETURNING id`, [
        options.accountId,
        `http://127.0.0.1:${port}/bench`,
        `whsec_${Buffer.from('bench webhook secret, 32 bytes!!').toString('base64')}`,
      ])
    ).rows[0]!.id;
    const payload = { booking: { id: 'bench', status: 'CONFIRMED', title: 'Bench' }, previousStatus: null, reason: null, relatedBookingId: null };
    const started = performance.now();
    await client.query(
      `INSERT INTO outbox_events (account_id, type, subject_id, payload) SELECT $1, 'booking.created', gen_random_uuid(), $2::jsonb FROM generate_series(1, $3)`,
      [options.accountId, JSON.stringify(payload), options.events],
    );
    for (let waited = 0; received.size < options.events && waited < 300_000; waited += 100) await sleep(100);
    const seconds = (lastAt - started) / 1000;
    row.requestsPerSecond = received.size / seconds;
    row.check = `${received.size}/${options.events} events delivered in ${seconds.toFixed(1)} s`;
    if (received.size < options.events) row.errors = options.events - received.size;
  } finally {
    if (endpointId) await client.query('DELETE FROM webhook_endpoints WHERE id = $1', [endpointId]);
    await client.query(`DELETE FROM outbox_events WHERE payload->'booking'->>'id' = 'bench'`);
    await client.end();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}
