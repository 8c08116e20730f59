import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeToAccounts, OutOfScopeWriteError } from '../../src/db/scope.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let northwind: Awaited<ReturnType<typeof createBookableAccount>>;
let contoso: Awaited<ReturnType<typeof createBookableAccount>>;
let northwindAdmin: string;
let contosoAdmin: string;
let contosoEndpointId: string;
let contosoDeliveryId: string;

beforeAll(async () => {
  // No worker: the deliveries stay queued, so there is one of each row to look for.
  gateway = await startTestGateway({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_DELIVERY: 'false' });
  northwind = await createBookableAccount(gateway.db, { name: 'Northwind' });
  contoso = await createBookableAccount(gateway.db, { name: 'Contoso' });
  northwindAdmin = await gateway.tokenFor({ accounts: [northwind.account.id], scopes: ['read', 'write', 'admin'] });
  contosoAdmin = await gateway.tokenFor({ accounts: [contoso.account.id], scopes: ['read', 'write', 'admin'] });
  for (const [setup, token] of [[northwind, northwindAdmin], [contoso, contosoAdmin]] as const) {
    const created = await gateway.graphql(
      `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/hooks" }) { ... on CreateWebhookEndpointSuccess { data { endpoint { id } } } } }`,
      {},
      token,
    );
    if (setup === contoso) contosoEndpointId = created.data.createWebhookEndpoint.data.endpoint.id;
    await gateway.graphql(
      CREATE_BOOKING,
      { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(upcomingMonday(), '09:00'), customer: { name: 'A', email: 'a@example.com' } } },
      token,
    );
  }
  for (let tries = 0; tries < 100 && (await gateway.db.webhookDelivery.count()) < 2; tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  const delivery = await gateway.db.webhookDelivery.findFirstOrThrow({ where: { accountId: contoso.account.id } });
  contosoDeliveryId = encodeId('WebhookDelivery', delivery.id);
  await gateway.db.webhookAttempt.create({ data: { accountId: contoso.account.id, deliveryId: delivery.id, attempt: 1, statusCode: 500, durationMs: 3 } });
});

afterAll(() => gateway?.close());

describe('isolation of events and webhooks', () => {
  it('lists only the endpoints of the token’s accounts, and reads another account’s endpoint or delivery as null', async () => {
    const result = await gateway.graphql(
      `query ($endpoint: ID!, $delivery: ID!) {
         webhookEndpoints { totalCount nodes { accountId deliveries(first: 10) { nodes { eventType } } } }
         endpoint: node(id: $endpoint) { id }
         delivery: node(id: $delivery) { id }
       }`,
      { endpoint: contosoEndpointId, delivery: contosoDeliveryId },
      northwindAdmin,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.webhookEndpoints.totalCount).toBe(1);
    expect(result.data.webhookEndpoints.nodes[0].accountId).toBe(encodeId('Account', northwind.account.id));
    expect(result.data.webhookEndpoints.nodes[0].deliveries.nodes).toEqual([{ eventType: 'booking.created' }]);
    expect(result.data.endpoint).toBeNull();
    expect(result.data.delivery).toBeNull();
  });

  it('treats changes to another account’s endpoint or delivery as not found', async () => {
    for (const [query, id] of [
      [`mutation ($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { __typename } }`, contosoEndpointId],
      [`mutation ($id: ID!) { rotateWebhookSecret(id: $id) { __typename } }`, contosoEndpointId],
      [`mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`, contosoEndpointId],
      [`mutation ($id: ID!) { redeliverWebhook(id: $id) { __typename } }`, contosoDeliveryId],
    ] as const) {
      const result = await gateway.graphql(query, { id }, northwindAdmin);
      expect(JSON.stringify(result.data), query).toContain('NotFoundError');
    }
    const endpoint = await gateway.db.webhookEndpoint.findFirstOrThrow({ where: { accountId: contoso.account.id } });
    expect(endpoint.enabled).toBe(true);
  });

  it('scopes the outbox, deliveries and attempts to the token’s accounts, and refuses rows in another', async () => {
    const scoped = scopeToAccounts(gateway.db, [northwind.account.id]);
    const [events, deliveries, attempts] = await Promise.all([scoped.outboxEvent.findMany(), scoped.webhookDelivery.findMany(), scoped.webhookAttempt.findMany()]);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.accountId === northwind.account.id)).toBe(true);
    expect(deliveries.every((delivery) => delivery.accountId === northwind.account.id)).toBe(true);
    expect(attempts).toEqual([]);
    await expect(scoped.outboxEvent.create({ data: { accountId: contoso.account.id, type: 'booking.created', payload: {} } })).rejects.toBeInstanceOf(OutOfScopeWriteError);
    await expect(scoped.webhookEndpoint.create({ data: { accountId: contoso.account.id, url: 'http://x.example', secret: 'whsec_x' } })).rejects.toBeInstanceOf(OutOfScopeWriteError);
  });

  it('is backed by the database: a delivery of one account’s event to another account’s endpoint violates a foreign key', async () => {
    const event = await gateway.db.outboxEvent.findFirstOrThrow({ where: { accountId: northwind.account.id } });
    const endpoint = await gateway.db.webhookEndpoint.findFirstOrThrow({ where: { accountId: contoso.account.id } });
    await expect(
      gateway.db.webhookDelivery.create({ data: { accountId: contoso.account.id, endpointId: endpoint.id, eventId: event.id, eventSeq: event.seq } }),
    ).rejects.toThrow(/foreign key/i);
  });
});
