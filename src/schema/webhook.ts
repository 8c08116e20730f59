import { z } from 'zod';
import { EVENT_TYPES } from '../events/event-types.ts';
import type { WebhookEndpoint } from '../generated/prisma/client.ts';
import { checkedEventTypes, checkedTargetUrl, newWebhookSecret, redeliver, rotateWebhookSecret, WebhookInputError } from '../webhooks/endpoints.ts';
import { nonBlank } from './account.ts';
import { builder } from './builder.ts';
import { accountIdsArg, accountsInScope, idOf, MUTATION_ERRORS, targetAccount, write } from './common.ts';
import type { Context } from './context.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { encodeId } from './global-id.ts';

const EVENT_TYPE_LIST = EVENT_TYPES.join(', ');

builder.prismaNode('WebhookEndpoint', {
  id: { field: 'id' },
  nullable: true,
  description: 'Where an account’s events are POSTed, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).',
  fields: (t) => ({
    accountId: t.id({ resolve: (endpoint) => encodeId('Account', endpoint.accountId) }),
    url: t.exposeString('url'),
    description: t.exposeString('description', { nullable: true }),
    eventTypes: t.exposeStringList('eventTypes', { description: `The event types sent; empty: all of them (${EVENT_TYPE_LIST}).` }),
    enabled: t.exposeBoolean('enabled'),
    disabledReason: t.exposeString('disabledReason', { nullable: true, description: 'Why the gateway disabled it, after a long run of failures.' }),
    consecutiveFailures: t.exposeInt('consecutiveFailures'),
    previousSecretExpiresAt: t.expose('previousSecretExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Until then the secret before the last rotation signs too.',
    }),
    deliveries: t.relatedConnection('deliveries', { cursor: 'id', description: 'Newest first.', query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const WebhookDeliveryStatus = builder.enumType('WebhookDeliveryStatus', {
  values: { PENDING: { description: 'Not yet answered with 2xx; retried with backoff.' }, DELIVERED: { description: 'The receiver answered 2xx.' } } as const,
});

const LOG_SIZE = 100;

builder.prismaNode('WebhookDelivery', {
  id: { field: 'id' },
  nullable: true,
  description: 'One event for one endpoint, delivered at least once.',
  fields: (t) => ({
    eventId: t.exposeID('eventId', { description: 'The webhook-id header: the same on every attempt and redelivery.' }),
    eventType: t.string({ select: { event: { select: { type: true } } }, resolve: (delivery) => delivery.event.type }),
    status: t.expose('status', { type: WebhookDeliveryStatus }),
    attempts: t.exposeInt('attempts'),
    nextAttemptAt: t.field({ type: 'DateTime', nullable: true, resolve: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null) }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    log: t.relation('log', {
      description: `The attempts, newest first (at most the last ${LOG_SIZE}).`,
      query: { orderBy: [{ attemptedAt: 'desc' }, { attempt: 'desc' }], take: LOG_SIZE },
    }),
  }),
});

builder.prismaObject('WebhookAttempt', {
  description: 'One POST of a delivery.',
  fields: (t) => ({
    attempt: t.exposeInt('attempt'),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: 'The receiver’s HTTP status; null when none came (refused, timeout).' }),
    error: t.exposeString('error', { nullable: true }),
    durationMs: t.exposeInt('durationMs'),
    responseExcerpt: t.exposeString('responseExcerpt', { nullable: true, description: 'The start of the receiver’s answer.' }),
    attemptedAt: t.expose('attemptedAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaConnection(
    {
      type: 'WebhookEndpoint',
      cursor: 'id',
      nullable: true,
      authScopes: { admin: true },
      args: { ...accountIdsArg },
      resolve: (query, _root, args, context) =>
        context.db.webhookEndpoint.findMany({ ...query, where: { accountId: { in: accountsInScope(context, args.accountIds) } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      totalCount: (_parent, args, context) => context.db.webhookEndpoint.count({ where: { accountId: { in: accountsInScope(context, args.accountIds) } } }),
    },
    { name: 'WebhookEndpointConnection' },
    { name: 'WebhookEndpointEdge' },
  ),
}));

interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

const EndpointWithSecretRef = builder.objectRef<EndpointWithSecret>('WebhookEndpointWithSecret').implement({
  description: 'An endpoint with its signing secret, shown only here, once.',
  fields: (t) => ({
    endpoint: t.prismaField({ type: 'WebhookEndpoint', resolve: (query, parent, _args, context) => context.db.webhookEndpoint.findUniqueOrThrow({ ...query, where: { id: parent.endpoint.id } }) }),
    secret: t.exposeString('secret', { description: 'A Standard Webhooks secret (whsec_…): give it to the receiver’s verify.' }),
  }),
});

const url = z.string().trim().min(1).max(2000);
const eventTypes = z.array(z.string()).max(EVENT_TYPES.length * 2);

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    accountId: t.id({ required: false, description: 'Required when the token covers more than one account.' }),
    url: t.string({ validate: url, description: 'http(s); a private, loopback or link-local address is refused.' }),
    eventTypes: t.stringList({ required: false, validate: eventTypes, description: `Some of ${EVENT_TYPE_LIST}; none or omitted: all.` }),
    description: t.string({ required: false, validate: nonBlank }),
    enabled: t.boolean({ required: false, defaultValue: true }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  fields: (t) => ({
    url: t.string({ required: false, validate: url }),
    eventTypes: t.stringList({ required: false, validate: eventTypes }),
    description: t.string({ required: false, validate: nonBlank }),
    enabled: t.boolean({ required: false, description: 'Enabling clears the failure count; deliveries still pending go out again.' }),
  }),
});

/** The input's checks as typed validation errors. */
async function checked<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WebhookInputError) throw ValidationError.of(['input', error.field], error.message);
    throw error;
  }
}

const allowPrivate = (context: Context) => context.config.webhooks.allowPrivateTargets;

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: EndpointWithSecretRef,
    authScopes: { admin: true },
    errors: MUTATION_ERRORS,
    description: 'Registers a receiver of the account’s events and returns its signing secret, once.',
    args: { input: t.arg({ type: CreateWebhookEndpointInput }) },
    resolve: async (_root, { input }, context) => {
      const accountId = targetAccount(context, input.accountId);
      const target = await checked(() => checkedTargetUrl(input.url, allowPrivate(context)));
      const types = await checked(() => checkedEventTypes(input.eventTypes ?? []));
      const secret = newWebhookSecret();
      const endpoint = await context.db.webhookEndpoint.create({
        data: { accountId, url: target, eventTypes: types, description: input.description?.trim() ?? null, enabled: input.enabled ?? true, secret },
      });
      return { endpoint, secret };
    },
  }),
  updateWebhookEndpoint: t.prismaField({
    type: 'WebhookEndpoint',
    authScopes: { admin: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateWebhookEndpointInput }) },
    resolve: async (query, _root, { id, input }, context) => {
      const target = input.url ? await checked(() => checkedTargetUrl(input.url!, allowPrivate(context))) : undefined;
      const types = input.eventTypes ? await checked(() => checkedEventTypes(input.eventTypes!)) : undefined;
      return write(id, () =>
        context.db.webhookEndpoint.update({
          ...query,
          where: { id: idOf('WebhookEndpoint', id) },
          data: {
            url: target,
            eventTypes: types,
            description: input.description?.trim() ?? undefined,
            enabled: input.enabled ?? undefined,
            ...(input.enabled ? { consecutiveFailures: 0, disabledReason: null } : {}),
          },
        }),
      );
    },
  }),
  deleteWebhookEndpoint: t.field({
    type: 'ID',
    authScopes: { admin: true },
    errors: MUTATION_ERRORS,
    description: 'Deletes an endpoint with its deliveries and their log.',
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      await write(id, () => context.db.webhookEndpoint.delete({ where: { id: idOf('WebhookEndpoint', id) } }));
      return id;
    },
  }),
  rotateWebhookSecret: t.field({
    type: EndpointWithSecretRef,
    authScopes: { admin: true },
    errors: MUTATION_ERRORS,
    description: 'A new signing secret, returned once. The old one keeps signing beside it (two signatures) for `overlapSeconds`.',
    args: { id: t.arg.id(), overlapSeconds: t.arg.int({ required: false, defaultValue: 86_400, validate: z.number().int().min(0).max(7 * 86_400) }) },
    resolve: async (_root, { id, overlapSeconds }, context) => {
      const endpoint = await context.db.webhookEndpoint.findUnique({ where: { id: idOf('WebhookEndpoint', id) } });
      if (!endpoint) throw new NotFoundError(id);
      const secret = await rotateWebhookSecret(context.rootDb, endpoint.id, overlapSeconds ?? 86_400);
      if (!secret) throw new NotFoundError(id);
      return { endpoint, secret };
    },
  }),
  redeliverWebhook: t.prismaField({
    type: 'WebhookDelivery',
    authScopes: { admin: true },
    errors: MUTATION_ERRORS,
    description: 'Sends a delivery again now, with the same webhook-id, whether it was delivered or not.',
    args: { id: t.arg.id({ description: 'A WebhookDelivery.' }) },
    resolve: async (query, _root, { id }, context) => {
      const deliveryId = idOf('WebhookDelivery', id);
      if (!(await redeliver(context.db, deliveryId))) throw new NotFoundError(id);
      return context.db.webhookDelivery.findUniqueOrThrow({ ...query, where: { id: deliveryId } });
    },
  }),
}));
