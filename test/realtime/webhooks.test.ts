import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

let gateway: TestGateway;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
let admin: string;
let booker: string;
const monday = upcomingMonday();
const customer = { name: 'Marty McFly', email: 'marty@hillvalley.example' };
const receivers: Array<{ close(): Promise<void> }> = [];
let nextWeek = 0;

beforeAll(async () => {
  gateway = await startTestGateway({
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_RETRY_MAX_MS: '200',
    WEBHOOK_MAX_FAILURES: '4',
    WEBHOOK_POLL_MS: '50',
  });
  setup = await createBookableAccount(gateway.db);
  admin = await gateway.tokenFor({ accounts: [setup.account.id], scopes: ['read', 'write', 'admin'] });
  booker = await gateway.tokenFor({ accounts: [setup.account.id] });
});

afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await gateway?.close();
});

const CREATE_ENDPOINT = `mutation ($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    __typename
    ... on CreateWebhookEndpointSuccess { data { secret endpoint { id url eventTypes enabled } } }
    ... on ValidationError { issues { path message } }
  }
}`;

async function receiverWithEndpoint(respond?: Parameters<typeof startWebhookReceiver>[0], eventTypes?: string[]) {
  const receiver = await startWebhookReceiver(respond);
  receivers.push(receiver);
  const created = await gateway.graphql(CREATE_ENDPOINT, { input: { url: receiver.url, eventTypes } }, admin);
  expect(created.data.createWebhookEndpoint.__typename).toBe('CreateWebhookEndpointSuccess');
  const { secret, endpoint } = created.data.createWebhookEndpoint.data;
  return { receiver, secret: secret as string, endpointId: endpoint.id as string };
}

/** A booking and its cancellation, each week on a day of its own so the tests do not meet. */
async function bookAndCancel() {
  const day = monday.plus({ weeks: (nextWeek += 1) });
  const made = await gateway.graphql(
    CREATE_BOOKING,
    { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(day, '09:00'), customer } },
    booker,
  );
  const bookingId = made.data.createBooking.data.id as string;
  await gateway.graphql(`mutation ($id: ID!) { cancelBooking(id: $id) { __typename } }`, { id: bookingId }, booker);
  return bookingId;
}

async function disableEndpoint(endpointId: string) {
  await gateway.graphql(`mutation ($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { __typename } }`, { id: endpointId }, admin);
}

describe('webhooks', () => {
  it('POSTs each event signed per Standard Webhooks, with the event id as webhook-id, in the booking’s order', async () => {
    const { receiver, secret, endpointId } = await receiverWithEndpoint(undefined, ['booking.created', 'booking.cancelled']);
    const bookingId = await bookAndCancel();
    await receiver.waitFor(2);
    const verifier = new Webhook(secret);
    const bodies = receiver.received.map((webhook) => verifier.verify(webhook.body, webhook.headers) as any);
    expect(bodies.map((body) => body.type)).toEqual(['booking.created', 'booking.cancelled']);
    expect(bodies.every((body) => body.data.booking.id === bookingId)).toBe(true);
    const events = await gateway.db.outboxEvent.findMany({ where: { type: { in: ['booking.created', 'booking.cancelled'] } }, orderBy: { seq: 'asc' } });
    expect(receiver.received.map((webhook) => webhook.headers['webhook-id'])).toEqual(events.slice(-2).map((event) => event.id));
    // A tampered body fails the same check.
    expect(() => verifier.verify(receiver.received[0]!.body.replace('booking', 'b00king'), receiver.received[0]!.headers)).toThrow();
    await disableEndpoint(endpointId);
  });

  it('keeps retrying a failing receiver, and once it recovers it has every event, each booking’s in order', async () => {
    let failures = 0;
    const { receiver, secret, endpointId } = await receiverWithEndpoint(() => (failures++ < 3 ? 503 : 200), ['booking.created', 'booking.cancelled']);
    const first = await bookAndCancel();
    const second = await bookAndCancel();
    await receiver.waitFor(7);
    const verifier = new Webhook(secret);
    const delivered = new Map<string, any>();
    for (const webhook of receiver.received) delivered.set(webhook.headers['webhook-id']!, verifier.verify(webhook.body, webhook.headers));
    const sequence = (bookingId: string) => receiver.received.map((webhook) => JSON.parse(webhook.body)).filter((body) => body.data.booking.id === bookingId).map((body) => body.type);
    expect(delivered.size).toBe(4);
    for (const bookingId of [first, second]) {
      // Retries repeat a type, but never a cancellation before its creation.
      const types = sequence(bookingId);
      expect(types.lastIndexOf('booking.created')).toBeLessThan(types.indexOf('booking.cancelled'));
    }
    const readLog = () =>
      gateway.graphql(
        `query ($id: ID!) { node(id: $id) { ... on WebhookEndpoint { consecutiveFailures deliveries(first: 10) { nodes { status attempts log { attempt statusCode responseExcerpt durationMs } } } } } }`,
        { id: endpointId },
        admin,
      );
    // The receiver has its answer a moment before the gateway has recorded it.
    let log = await readLog();
    for (let tries = 0; tries < 100 && log.data.node.deliveries.nodes.some((delivery: any) => delivery.status !== 'DELIVERED'); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      log = await readLog();
    }
    expect(log.errors).toBeUndefined();
    const endpoint = log.data.node;
    expect(endpoint.consecutiveFailures).toBe(0);
    expect(endpoint.deliveries.nodes.every((delivery: any) => delivery.status === 'DELIVERED')).toBe(true);
    const attempts = endpoint.deliveries.nodes.flatMap((delivery: any) => delivery.log);
    expect(attempts.filter((attempt: any) => attempt.statusCode === 503)).toHaveLength(3);
    expect(attempts.find((attempt: any) => attempt.statusCode === 503).responseExcerpt).toBe('failing with 503');
    await disableEndpoint(endpointId);
  });

  it('replays a delivery with the same webhook-id on redeliverWebhook', async () => {
    const { receiver, endpointId } = await receiverWithEndpoint(undefined, ['booking.cancelled']);
    await bookAndCancel();
    await receiver.waitFor(1);
    const deliveries = await gateway.graphql(`query ($id: ID!) { node(id: $id) { ... on WebhookEndpoint { deliveries(first: 1) { nodes { id } } } } }`, { id: endpointId }, admin);
    const deliveryId = deliveries.data.node.deliveries.nodes[0].id;
    const replay = await gateway.graphql(`mutation ($id: ID!) { redeliverWebhook(id: $id) { __typename } }`, { id: deliveryId }, admin);
    expect(replay.data.redeliverWebhook.__typename).toBe('RedeliverWebhookSuccess');
    await receiver.waitFor(2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
    await disableEndpoint(endpointId);
  });

  it('signs with both secrets during a rotation’s overlap', async () => {
    const { receiver, secret: oldSecret, endpointId } = await receiverWithEndpoint(undefined, ['booking.created']);
    const rotated = await gateway.graphql(
      `mutation ($id: ID!) { rotateWebhookSecret(id: $id, overlapSeconds: 3600) { ... on RotateWebhookSecretSuccess { data { secret endpoint { previousSecretExpiresAt } } } } }`,
      { id: endpointId },
      admin,
    );
    const { secret: newSecret, endpoint } = rotated.data.rotateWebhookSecret.data;
    expect(newSecret).not.toBe(oldSecret);
    expect(endpoint.previousSecretExpiresAt).not.toBeNull();
    await bookAndCancel();
    await receiver.waitFor(1);
    const [webhook] = receiver.received;
    expect(webhook!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(webhook!.body, webhook!.headers)).toMatchObject({ type: 'booking.created' });
    expect(new Webhook(newSecret).verify(webhook!.body, webhook!.headers)).toMatchObject({ type: 'booking.created' });
    await disableEndpoint(endpointId);
  });

  it('disables an endpoint after a run of failures, and says why', async () => {
    const { receiver, endpointId } = await receiverWithEndpoint(() => 500, ['booking.created']);
    await bookAndCancel();
    await receiver.waitFor(4);
    let endpoint: any;
    for (let tries = 0; tries < 100; tries += 1) {
      endpoint = (await gateway.graphql(`query ($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled disabledReason consecutiveFailures } } }`, { id: endpointId }, admin)).data.node;
      if (!endpoint.enabled) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(endpoint).toMatchObject({ enabled: false, consecutiveFailures: 4 });
    expect(endpoint.disabledReason).toContain('4 failed attempts');
  });

  it('refuses unknown event types, and a URL that is not http(s)', async () => {
    for (const input of [{ url: 'http://127.0.0.1:1/x', eventTypes: ['booking.exploded'] }, { url: 'ftp://example.com/x' }]) {
      const result = await gateway.graphql(CREATE_ENDPOINT, { input }, admin);
      expect(result.data.createWebhookEndpoint.__typename).toBe('ValidationError');
    }
  });

  it('is admin-only', async () => {
    const result = await gateway.graphql(CREATE_ENDPOINT, { input: { url: 'http://127.0.0.1:1/x' } }, booker);
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('webhook targets', () => {
  let guarded: TestGateway;
  beforeAll(async () => {
    guarded = await startTestGateway();
  });
  afterAll(() => guarded?.close());

  it('refuses loopback, private and link-local targets unless configured to allow them', async () => {
    const account = await createBookableAccount(guarded.db);
    const token = await guarded.tokenFor({ accounts: [account.account.id], scopes: ['read', 'write', 'admin'] });
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest', 'http://[::1]/x', 'http://[::ffff:192.168.0.1]/x']) {
      const result = await guarded.graphql(CREATE_ENDPOINT, { input: { url } }, token);
      expect(result.data.createWebhookEndpoint.__typename, url).toBe('ValidationError');
      expect(result.data.createWebhookEndpoint.issues[0].path).toEqual(['input', 'url']);
    }
  });
});
