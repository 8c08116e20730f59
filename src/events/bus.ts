import { Redis } from 'ioredis';
import { listenTo, type Db } from '../db/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { PublishedEvent } from './event-types.ts';
import { toPublished, type OutboxRow } from './relay.ts';

/**
 * Hands committed events to the subscriptions of every gateway instance,
 * each event once to each instance, whichever instance relayed it: through a
 * Redis channel when REDIS_URL is set, otherwise through PostgreSQL itself
 * (a NOTIFY carrying the events' ids, sent with the relay's commit), so that
 * several instances on one database need nothing more.
 */
export interface EventBus {
  /** Called inside the relay's transaction; rejects if the events could not be sent (the relay then rolls back). */
  publish(events: PublishedEvent[], tx: Prisma.TransactionClient): Promise<void>;
  /** Calls `listener` for every event this instance hears; returns the unsubscribe. */
  subscribe(listener: (event: PublishedEvent) => void): () => void;
  /** Resolves once the bus hears what is published (Redis subscribed). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The channel of the PostgreSQL bus: its payload is the relayed events' ids, comma-separated. */
export const EVENTS_CHANNEL = 'scheduling_events';
const IDS_PER_NOTIFICATION = 200;

export function createEventBus(options: { db: Db; redisUrl: string | undefined; channel: string; logger: Logger }): EventBus {
  const { logger } = options;
  const listeners = new Set<(event: PublishedEvent) => void>();
  const dispatch = (event: PublishedEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: error, event: event.id }, 'a subscription failed to take an event');
      }
    }
  };
  const subscribe = (listener: (event: PublishedEvent) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  return options.redisUrl ? redisBus(options.redisUrl, options.channel, logger, dispatch, subscribe) : postgresBus(options.db, logger, dispatch, subscribe);
}

function postgresBus(db: Db, logger: Logger, dispatch: (event: PublishedEvent) => void, subscribe: EventBus['subscribe']): EventBus {
  // Notifications are handled one after another, so events keep their order.
  let chain = Promise.resolve();
  const listener = listenTo(
    db,
    EVENTS_CHANNEL,
    (payload) => {
      const ids = payload.split(',').filter(Boolean);
      if (ids.length === 0) return;
      chain = chain
        .then(async () => {
          const rows = await db.$queryRaw<OutboxRow[]>`
            SELECT id, seq, account_id, type, payload, occurred_at FROM outbox_events WHERE id = ANY(${ids}::uuid[]) ORDER BY seq`;
          rows.map(toPublished).forEach(dispatch);
        })
        .catch((error: unknown) => logger.error({ err: error }, 'reading relayed events failed; subscribers miss them'));
    },
    logger,
    () => undefined,
  );
  return {
    publish: async (events, tx) => {
      // A notification carries at most 8,000 bytes: 200 ids of 37 characters fit.
      for (let start = 0; start < events.length; start += IDS_PER_NOTIFICATION) {
        const ids = events.slice(start, start + IDS_PER_NOTIFICATION).map((event) => event.id);
        await tx.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${ids.join(',')})`;
      }
    },
    subscribe,
    ready: async () => undefined,
    close: () => listener.close(),
  };
}

function redisBus(url: string, channel: string, logger: Logger, dispatch: (event: PublishedEvent) => void, subscribe: EventBus['subscribe']): EventBus {
  const publisher = new Redis(url, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(url);
  for (const connection of [publisher, subscriber]) {
    connection.on('error', (error: Error) => logger.warn({ reason: error.message }, 'Redis is unreachable: subscriptions wait for it'));
  }
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      dispatch(JSON.parse(message) as PublishedEvent);
    } catch (error) {
      logger.error({ err: error }, 'an unreadable event on the Redis channel');
    }
  });
  const subscribed = subscriber.subscribe(channel).then(() => undefined);
  subscribed.catch(() => undefined);
  return {
    publish: async (events) => {
      if (events.length === 0) return;
      const pipeline = publisher.pipeline();
      for (const event of events) pipeline.publish(channel, JSON.stringify(event));
      const results = (await pipeline.exec()) ?? [];
      const failure = results.find(([error]) => error)?.[0];
      if (failure) throw failure;
    },
    subscribe,
    ready: () => subscribed,
    close: async () => {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
