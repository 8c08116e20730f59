import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** What a subscriber received so far, and a way to wait for more. */
export interface Subscriber<Data = any> {
  received: Array<{ data?: Data; errors?: unknown[] }>;
  /** Resolves once at least `count` messages arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

function collector<Data>() {
  const received: Subscriber<Data>['received'] = [];
  const waiters: Array<() => void> = [];
  return {
    received,
    add(message: { data?: Data; errors?: unknown[] }) {
      received.push(message);
      for (const waiter of waiters.splice(0)) waiter();
    },
    waitFor(count: number, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} messages, got ${received.length}: ${JSON.stringify(received)}`)), timeoutMs);
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

/**
 * A GraphQL-over-SSE subscriber (distinct connections mode), over real HTTP.
 * Resolves once the server answered the request, so the subscription is live.
 */
export async function subscribeOverSse<Data = any>(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<Subscriber<Data> & { status: number }> {
  const messages = collector<Data>();
  const abort = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if ((event === 'next' || event === undefined) && data) messages.add(JSON.parse(data));
          if (event === 'complete') return;
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  ended.catch(() => undefined);
  // Yoga opens the stream before it subscribes: a ping comment shows the stream is up; give the subscribe its turn.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { ...messages, status: response.status, ended, close: () => abort.abort() };
}

/** A graphql-ws subscriber, the token in connection_init's `Authorization`. Resolves once the socket is acknowledged. */
export async function subscribeOverWebSocket<Data = any>(url: string, query: string, variables: Record<string, unknown>, token: string | undefined): Promise<Subscriber<Data> & { client: Client }> {
  const messages = collector<Data>();
  let acknowledged!: () => void;
  let refused!: (reason: unknown) => void;
  const connected = new Promise<void>((resolve, reject) => {
    acknowledged = resolve;
    refused = reject;
  });
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    // Reported through `closed` instead of printed.
    onNonLazyError: () => undefined,
    on: { connected: () => acknowledged(), closed: (event) => refused(event) },
  });
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  client.subscribe<Data>({ query, variables }, { next: (message) => messages.add(message as never), error: (error) => { messages.add({ errors: [error] }); end(); }, complete: () => end() });
  await connected;
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { ...messages, ended, client, close: () => void client.dispose() };
}
