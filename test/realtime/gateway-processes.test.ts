import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createApiClient } from '../../src/auth/api-clients.ts';
import { createDb } from '../../src/db/client.ts';
import { adminQuery } from '../support/admin.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { databaseUrl } from '../support/database-url.ts';
import { subscribeOverSse, type Subscriber } from '../support/subscriptions.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';
import { fetchToken, startGatewayProcess, type GatewayProcess } from '../faults/support.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
const redis = await redisReachable();
if (!redis) console.warn(`Redis is not reachable at ${REDIS_URL}: the two-gateway test through Redis is skipped`);

const name = `gateway_test_${randomUUID().replaceAll('-', '')}`;
let url: string;
let fixture: Awaited<ReturnType<typeof createBookableAccount>>;
let credentials: { clientId: string; clientSecret: string };
const monday = upcomingMonday();
const customer = { name: 'Marty McFly', email: 'marty@hillvalley.example' };
const cleanups: Array<() => Promise<unknown> | void> = [];

/** Quick retries and a short lease, so a killed gateway's delivery is taken over within seconds. */
const WEBHOOK_SETTINGS = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_RETRY_MAX_MS: '500',
  OUTBOX_POLL_MS: '200',
};

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  url = databaseUrl(inject('adminDatabaseUrl'), name);
  const { db } = createDb(url);
  fixture = await createBookableAccount(db);
  credentials = await createApiClient(db, { name: 'processes', scopes: ['read', 'write', 'admin'], accounts: [fixture.account.id] });
  await db.$disconnect();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

async function gatewayProcess(environment: Record<string, string> = {}): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess(url, { ...WEBHOOK_SETTINGS, ...environment });
  cleanups.push(() => gateway.stop());
  return gateway;
}

async function receiverWithEndpoint(gateway: GatewayProcess, token: string, respond?: Parameters<typeof startWebhookReceiver>[0]) {
  const receiver = await startWebhookReceiver(respond);
  cleanups.push(() => receiver.close());
  const created = await graphql(
    gateway,
    `mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ... on CreateWebhookEndpointSuccess { data { secret endpoint { id } } } } }`,
    { input: { url: receiver.url, eventTypes: ['booking.created'] } },
    token,
  );
  const { secret, endpoint } = created.data.createWebhookEndpoint.data;
  // Later tests' receivers must not hear this one's bookings.
  cleanups.push(() => graphql(gateway, `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`, { id: endpoint.id }, token).catch(() => undefined));
  return { receiver, secret: secret as string, endpointId: endpoint.id as string };
}

async function graphql(gateway: GatewayProcess, query: string, variables: Record<string, unknown>, token: string) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as any;
}

let week = 0;
async function book(gateway: GatewayProcess, token: string) {
  const result = await graphql(
    gateway,
    CREATE_BOOKING,
    { input: { appointmentTypeId: fixture.instantTypeId, resourceId: fixture.agentIds[0], startsAt: at(monday.plus({ weeks: (week += 1) }), '09:00'), customer } },
    token,
  );
  expect(result.data.createBooking.__typename).toBe('CreateBookingSuccess');
  return result.data.createBooking.data.id as string;
}

// Each test starts gateway processes (tsx compiles the gateway at each start): minutes on a busy 2-core machine.
describe('webhooks across gateway processes', { timeout: 180_000 }, () => {
  it('delivers an event whose POST was cut by kill -9 once the gateway is started again, with the same webhook-id', async () => {
    const first = await gatewayProcess();
    const token = await fetchToken(first.url, credentials.clientId, credentials.clientSecret);
    // The first POST is left hanging: the gateway is killed while it waits for the answer.
    const { receiver, secret } = await receiverWithEndpoint(first, token, (_webhook, index) => (index === 0 ? 'hold' : 204));
    const bookingId = await book(first, token);
    await receiver.waitFor(1);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await gatewayProcess();
    await receiver.waitFor(2, 30_000);
    const [cut, redelivered] = receiver.received;
    expect(redelivered!.headers['webhook-id']).toBe(cut!.headers['webhook-id']);
    expect(new Webhook(secret).verify(redelivered!.body, redelivered!.headers)).toMatchObject({ type: 'booking.created', data: { booking: { id: bookingId } } });
    expect(second.output()).not.toMatch(/error/i);
  });

  /** Two gateways on one database: a booking through one reaches a subscriber of each and a receiver registered through the other. */
  async function fanOut(environment: Record<string, string>) {
    const [booking, watching] = await Promise.all([gatewayProcess(environment), gatewayProcess(environment)]);
    const token = await fetchToken(booking.url, credentials.clientId, credentials.clientSecret);
    const { receiver } = await receiverWithEndpoint(watching, token);
    const subscribers: Subscriber[] = [];
    for (const gateway of [watching, booking]) {
      const subscriber = await subscribeOverSse(gateway.url, `subscription { bookingChanged { eventId type bookingId } }`, {}, token);
      cleanups.push(() => subscriber.close());
      subscribers.push(subscriber);
    }
    const bookingIds = [await book(booking, token), await book(booking, token)];
    await receiver.waitFor(2);
    for (const subscriber of subscribers) await subscriber.waitFor(2);
    // One more: anything sent twice for the first two would have arrived before it.
    bookingIds.push(await book(watching, token));
    await receiver.waitFor(3);
    for (const subscriber of subscribers) {
      await subscriber.waitFor(3);
      expect(subscriber.received.map((message) => message.data.bookingChanged.bookingId)).toEqual(bookingIds);
    }
    expect(receiver.received.map((webhook) => JSON.parse(webhook.body).data.booking.id)).toEqual(bookingIds);
  }

  it('fans a booking made through one gateway out to a subscriber and a webhook receiver of the other, exactly once each, through PostgreSQL', async () => {
    await fanOut({});
  });

  it.skipIf(!redis)('does the same through Redis when REDIS_URL is set', async () => {
    await fanOut({ REDIS_URL, EVENTS_REDIS_CHANNEL: `scheduling-gateway-test:${randomUUID()}` });
  });
});
