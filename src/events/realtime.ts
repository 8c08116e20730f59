import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.ts';
import { backgroundDb, type Db } from '../db/client.ts';
import { startReservationSweeper } from '../bookings/reservation-expiry.ts';
import type { Logger } from '../observability/logger.ts';
import { startDeliveryWorker } from '../webhooks/delivery-worker.ts';
import { createEventBus, type EventBus } from './bus.ts';
import { startRelay } from './relay.ts';

/** How long a starting gateway waits for the Redis subscription before it serves anyway. */
const BUS_CONNECT_WAIT_MS = 2_000;

/** Open subscriptions per API client on this instance, bounded by SUBSCRIPTIONS_PER_CLIENT. */
export interface SubscriptionSlots {
  /** A release function, or undefined when the client already has its maximum open. */
  take(apiClientId: string): (() => void) | undefined;
  open(): number;
}

function createSubscriptionSlots(perClient: number): SubscriptionSlots {
  const open = new Map<string, number>();
  let total = 0;
  return {
    take(apiClientId) {
      const count = open.get(apiClientId) ?? 0;
      if (count >= perClient) return undefined;
      open.set(apiClientId, count + 1);
      total += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (open.get(apiClientId) ?? 1) - 1;
        if (left === 0) open.delete(apiClientId);
        else open.set(apiClientId, left);
      };
    },
    open: () => total,
  };
}

/** What subscriptions need from the gateway. */
export interface Realtime {
  bus: EventBus;
  slots: SubscriptionSlots;
  recheckMs: number;
  /** Registers a stream's `end`, called when the gateway shuts down; returns the unregister. */
  track(end: () => void): () => void;
}

/**
 * The gateway's background work around events: the outbox relay, the
 * reservation sweeper and the webhook delivery worker, and the bus the
 * subscriptions listen on.
 */
export function startRealtime(options: { db: Db; config: Config; logger: Logger }) {
  const { config, logger } = options;
  const db = backgroundDb(options.db);
  const bus = createEventBus({ db, redisUrl: config.redisUrl, channel: config.realtime.redisChannel, logger });
  const worker = config.webhooks.deliver ? startDeliveryWorker({ db, config: config.webhooks, logger }) : undefined;
  const relay = startRelay({ db, bus, logger, pollMs: config.realtime.outboxPollMs, onDeliveriesQueued: () => worker?.wake() });
  const sweeper = startReservationSweeper(db, config.realtime.reservationSweepMs, logger, relay.wake);
  const streams = new Set<() => void>();
  const realtime: Realtime = {
    bus,
    slots: createSubscriptionSlots(config.realtime.subscriptionsPerClient),
    recheckMs: config.realtime.subscriptionRecheckMs,
    track: (end) => {
      streams.add(end);
      return () => void streams.delete(end);
    },
  };
  const endSubscriptions = () => {
    for (const end of [...streams]) end();
  };
  return {
    realtime,
    /** Resolves once the bus hears what is published, or after a short wait while Redis cannot be reached. */
    ready: () => Promise.race([bus.ready(), sleep(BUS_CONNECT_WAIT_MS)]),
    /** Publishes committed events now rather than at the relay's next poll: call it once a change has committed. */
    eventsCommitted: relay.wake,
    /** Ends every open subscription (their streams complete), so that a shutdown need not wait for them. */
    endSubscriptions,
    close: async () => {
      endSubscriptions();
      await Promise.all([relay.close(), sweeper.close(), worker?.close()]);
      await bus.close();
    },
  };
}
