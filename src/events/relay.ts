import { startBackgroundWork } from '../background-work.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { EventBus } from './bus.ts';
import type { EventData, EventType, PublishedEvent } from './event-types.ts';

export interface OutboxRow {
  id: string;
  seq: bigint;
  account_id: string;
  type: string;
  payload: unknown;
  occurred_at: Date;
}

/**
 * Moves committed events out of the outbox: claims unpublished rows (several
 * gateways share the work: `FOR UPDATE SKIP LOCKED`), queues their webhook
 * deliveries, hands them to the bus and marks them published, all in one
 * transaction. A crash before the commit leaves the rows to the next relay,
 * so an event can be published twice but never lost. Woken by `wake()`
 * once a change has committed (the gateway calls it after every mutation,
 * the sweeper after expiring holds); its poll finds what other processes
 * wrote. Not by a NOTIFY in the writing transaction: that serialises the
 * commits of every transaction writing an event (migration 20261203190000).
 */
export function startRelay(options: { db: Db; bus: EventBus; logger: Logger; pollMs: number; onDeliveriesQueued: () => void; batch?: number }) {
  const { db, bus, logger, pollMs, batch = 200 } = options;

  // The gateway wakes the relay after every mutation, most of which wrote no event: one indexed look (the
  // partial index on unpublished rows) instead of a transaction of three statements.
  const anyUnpublished = async () =>
    (await db.$queryRaw<Array<{ any: boolean }>>`SELECT EXISTS (SELECT 1 FROM outbox_events WHERE published_at IS NULL) AS any`)[0]!.any;

  const relayBatch = async (): Promise<number> => ((await anyUnpublished()) ? claimAndPublish() : 0);

  const claimAndPublish = async (): Promise<number> =>
    db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<OutboxRow[]>`
          SELECT id, seq, account_id, type, payload, occurred_at FROM outbox_events
          WHERE published_at IS NULL ORDER BY seq LIMIT ${batch} FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        const ids = rows.map((row) => row.id);
        const queued = await tx.$executeRaw`
          INSERT INTO webhook_deliveries (account_id, endpoint_id, event_id, event_seq, subject_id)
          SELECT event.account_id, endpoint.id, event.id, event.seq, event.subject_id
          FROM outbox_events AS event
          JOIN webhook_endpoints AS endpoint ON endpoint.account_id = event.account_id AND endpoint.enabled
            AND (cardinality(endpoint.event_types) = 0 OR event.type = ANY(endpoint.event_types))
          WHERE event.id = ANY(${ids}::uuid[])
          ON CONFLICT (endpoint_id, event_id) DO NOTHING`;
        await tx.$executeRaw`UPDATE outbox_events SET published_at = now() WHERE id = ANY(${ids}::uuid[])`;
        await bus.publish(rows.map(toPublished), tx);
        if (queued > 0) setImmediate(options.onDeliveriesQueued);
        return rows.length;
      },
      { timeout: 30_000, maxWait: 10_000 },
    );

  return startBackgroundWork(pollMs, async (isClosed) => {
    try {
      while (!isClosed() && (await relayBatch()) === batch);
    } catch (error) {
      if (!isClosed()) logger.error({ err: error }, 'relaying outbox events failed; trying again shortly');
    }
  });
}

export function toPublished(row: OutboxRow): PublishedEvent {
  return {
    id: row.id,
    seq: String(row.seq),
    type: row.type as EventType,
    accountId: row.account_id,
    occurredAt: row.occurred_at.toISOString(),
    data: row.payload as EventData,
  };
}
