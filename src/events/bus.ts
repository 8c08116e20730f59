import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import type { PublishedEvent } from './event-types.ts';

/**
 * Hands committed events to the subscriptions of every gateway instance:
 * through a Redis channel when REDIS_URL is set (each instance hears every
 * event once, whichever instance relayed it), in this process otherwise.
 */
export interface EventBus {
  /** Resolves once the events are on their way to every instance; rejects if they could not be sent. */
  publish(events: PublishedEvent[]): Promise<void>;
  /** Calls `listener` for every event this instance hears; returns the unsubscribe. */
  subscribe(listener: (event: PublishedEvent) => void): () => void;
  /** Resolves once the bus hears what is published (Redis subscribed). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createEventBus(options: { redisUrl: string | undefined; channel: string; logger: Logger }): EventBus {
  const listeners = new Set<(event: PublishedEvent) => void>();
  const dispatch = (event: PublishedEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        options.logger.error({ err: error, event: event.id }, 'a subscription failed to take an event');
      }
    }
  };
  const subscribe = (listener: (event: PublishedEvent) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  if (!options.redisUrl) {
    return {
      publish: async (events) => events.forEach(dispatch),
      subscribe,
      ready: async () => undefined,
      close: async () => undefined,
    };
  }
  const { channel, logger } = options;
  const publisher = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(options.redisUrl);
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
