import { createCalendarFeed, FEED_DAYS_AFTER, FEED_DAYS_BEFORE, FEED_MAX_EVENTS, feedPath, revokeCalendarFeed } from '../calendar/feeds.ts';
import type { CalendarFeed } from '../generated/prisma/client.ts';
import { nonBlank } from './account.ts';
import { builder } from './builder.ts';
import { accountIdsArg, accountsInScope, idOf, idsFilter, inputId, MUTATION_ERRORS } from './common.ts';
import type { Context } from './context.ts';
import { NotFoundError } from './errors.ts';

const DEFAULT_FEED_NAME = 'Calendar feed';

export const CalendarFeedRef = builder.prismaNode('CalendarFeed', {
  id: { field: 'id' },
  // Loading by id yields null for a row outside the token's accounts.
  nullable: true,
  description:
    `An agent's bookings as an iCalendar feed (RFC 5545) at a secret URL, for calendar apps, which cannot send a bearer token. ` +
    `It lists the bookings of the last ${FEED_DAYS_BEFORE} and the next ${FEED_DAYS_AFTER} days (at most ${FEED_MAX_EVENTS}).`,
  fields: (t) => ({
    account: t.relation('account'),
    agent: t.relation('agent'),
    name: t.exposeString('name', { description: 'A label telling feeds apart, such as the app or device it was added to.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'Set once revoked: the URL answers 404 from then on.' }),
    contentChangedAt: t.expose('contentChangedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the calendar last changed as served to a calendar app (its Last-Modified); null until first fetched.',
    }),
  }),
});

interface CalendarFeedCredentials {
  calendarFeed: CalendarFeed;
  url: string;
}

const CalendarFeedCredentialsRef = builder.objectRef<CalendarFeedCredentials>('CalendarFeedCredentials').implement({
  description: 'A new feed with its URL. The URL holds the secret and is shown only here, once: only the secret’s hash is stored.',
  fields: (t) => ({
    calendarFeed: t.field({ type: CalendarFeedRef, resolve: (credentials) => credentials.calendarFeed }),
    url: t.exposeString('url', { description: 'The feed over HTTP(S), for apps that subscribe by URL.' }),
    webcalUrl: t.string({
      description: 'The same feed as a webcal:// link, which opens the calendar app’s subscription dialog.',
      resolve: (credentials) => credentials.url.replace(/^https?:/, 'webcal:'),
    }),
  }),
});

const CreateCalendarFeedInput = builder.inputType('CreateCalendarFeedInput', {
  fields: (t) => ({
    agentId: t.id(),
    name: t.string({ required: false, validate: nonBlank, description: `A label (default "${DEFAULT_FEED_NAME}").` }),
  }),
});

const CalendarFeedWhere = builder.inputType('CalendarFeedWhere', {
  fields: (t) => ({
    agentIds: t.idList({ required: false }),
    revoked: t.boolean({ required: false, description: 'true: only revoked feeds; false: only live ones; absent: both.' }),
  }),
});

function feedWhere(context: Context, args: { accountIds?: readonly string[] | null; where?: typeof CalendarFeedWhere.$inferInput | null }) {
  const revoked = args.where?.revoked;
  return {
    accountId: { in: accountsInScope(context, args.accountIds) },
    agentId: idsFilter('Agent', args.where?.agentIds),
    revokedAt: revoked == null ? undefined : revoked ? { not: null } : null,
  };
}

builder.queryFields((t) => ({
  calendarFeeds: t.prismaConnection(
    {
      type: 'CalendarFeed',
      cursor: 'id',
      nullable: true,
      authScopes: { read: true },
      description: 'Calendar feeds of the token’s accounts, oldest first, revoked ones included unless filtered out. Their URLs are never shown again.',
      args: { ...accountIdsArg, where: t.arg({ type: CalendarFeedWhere, required: false }) },
      resolve: (query, _root, args, context) =>
        context.db.calendarFeed.findMany({ ...query, where: feedWhere(context, args), orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      totalCount: (_parent, args, context) => context.db.calendarFeed.count({ where: feedWhere(context, args) }),
    },
    { name: 'CalendarFeedConnection' },
    { name: 'CalendarFeedEdge' },
  ),
}));

builder.mutationFields((t) => ({
  createCalendarFeed: t.field({
    type: CalendarFeedCredentialsRef,
    authScopes: { write: true },
    description:
      'Creates a feed of an agent’s bookings and returns its URL, once. Anyone holding the URL can read the calendar (what and when, the customer’s name; never e-mail, phone or description) until the feed is revoked.',
    errors: MUTATION_ERRORS,
    args: { input: t.arg({ type: CreateCalendarFeedInput }) },
    resolve: async (_root, { input }, context) => {
      const agentId = inputId('Agent', input.agentId, ['input', 'agentId']);
      const agent = await context.db.agent.findUnique({ where: { id: agentId }, select: { id: true, accountId: true } });
      if (!agent) throw new NotFoundError(input.agentId);
      const { feed, secret } = await createCalendarFeed(context.db, {
        accountId: agent.accountId,
        agentId: agent.id,
        name: input.name?.trim() ?? DEFAULT_FEED_NAME,
        apiClientId: context.principal!.apiClientId,
      });
      return { calendarFeed: feed, url: `${context.config.publicUrl}${feedPath(secret)}` };
    },
  }),
  revokeCalendarFeed: t.field({
    type: CalendarFeedRef,
    authScopes: { write: true },
    description: 'Revokes a feed for good: its URL answers 404 from now on. Idempotent.',
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      const feed = await revokeCalendarFeed(context.db, idOf('CalendarFeed', id));
      if (!feed) throw new NotFoundError(id);
      return feed;
    },
  }),
}));
