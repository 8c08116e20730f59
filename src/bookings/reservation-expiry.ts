import { startBackgroundWork } from '../background-work.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transaction-retry.ts';
import { appendEvents, reservationEvent } from '../events/outbox.ts';
import type { Logger } from '../observability/logger.ts';

interface LapsedBlock {
  reservation_id: string;
  agent_id: string;
  starts: Date;
  ends: Date;
}

/**
 * Marks lapsed holds EXPIRED, frees their blocks and writes their
 * `reservation.expired` events, by the database clock. Several gateways may
 * sweep at once: each takes the rows nobody else has locked.
 */
export async function expireLapsedReservations(db: Db, limit = 200): Promise<number> {
  return transaction(db, async (tx) => {
    const lapsed = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM reservations WHERE status = 'ACTIVE' AND expires_at <= now()
      ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    if (lapsed.length === 0) return 0;
    const ids = lapsed.map((row) => row.id);
    const blocks = await tx.$queryRaw<LapsedBlock[]>`
      UPDATE time_blocks SET active = false WHERE reservation_id = ANY(${ids}::uuid[])
      RETURNING reservation_id, agent_id, lower(during) AS starts, upper(during) AS ends`;
    const reservations = await tx.reservation.updateManyAndReturn({ where: { id: { in: ids } }, data: { status: 'EXPIRED' } });
    await appendEvents(
      tx,
      reservations.map((reservation) => {
        const own = blocks.filter((block) => block.reservation_id === reservation.id);
        const start = own[0]?.starts ?? reservation.startsAt;
        const end = own[0]?.ends ?? reservation.endsAt;
        return reservationEvent('reservation.expired', reservation, [...new Set(own.map((block) => block.agent_id))].sort(), { start, end });
      }),
    );
    return reservations.length;
  });
}

/** Sweeps every `intervalMs`, so a hold's expiry is announced within that of its lapse. */
export function startReservationSweeper(db: Db, intervalMs: number, logger: Logger, onExpired: () => void) {
  return startBackgroundWork(intervalMs, async (isClosed) => {
    try {
      let swept: number;
      do {
        swept = await expireLapsedReservations(db);
        if (swept > 0) onExpired();
      } while (swept > 0 && !isClosed());
    } catch (error) {
      logger.error({ err: error }, 'expiring lapsed reservations failed; trying again shortly');
    }
  });
}
