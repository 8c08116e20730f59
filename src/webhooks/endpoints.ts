import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { isEventType } from '../events/event-types.ts';
import { assertSafeTarget, UnsafeTargetError } from './targets.ts';

export class WebhookInputError extends Error {
  override name = 'WebhookInputError';
  constructor(
    readonly field: 'url' | 'eventTypes',
    message: string,
  ) {
    super(message);
  }
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The URL, refused when it is not http(s) or resolves to a non-public address (unless allowed). */
export async function checkedTargetUrl(url: string, allowPrivate: boolean): Promise<string> {
  try {
    return (await assertSafeTarget(url.trim(), allowPrivate)).href;
  } catch (error) {
    if (error instanceof UnsafeTargetError) throw new WebhookInputError('url', error.message);
    throw error;
  }
}

export function checkedEventTypes(eventTypes: readonly string[]): string[] {
  const unknown = eventTypes.find((type) => !isEventType(type));
  if (unknown !== undefined) throw new WebhookInputError('eventTypes', `Unknown event type "${unknown}"`);
  return [...new Set(eventTypes)].sort();
}

/**
 * A new secret that signs from now on; the current one keeps signing too
 * (a second signature in `webhook-signature`) for `overlapSeconds`, so the
 * receiver can switch without missing a delivery.
 */
export async function rotateWebhookSecret(db: Db, endpointId: string, overlapSeconds: number) {
  const secret = newWebhookSecret();
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    UPDATE webhook_endpoints
    SET previous_secret = secret, previous_secret_expires_at = now() + make_interval(secs => ${overlapSeconds}),
        secret = ${secret}, updated_at = now()
    WHERE id = ${endpointId}::uuid RETURNING id`;
  return rows.length === 1 ? secret : undefined;
}

/** Queues a delivery again, now: the same event and webhook-id, for a receiver that lost or wants it again. */
export async function redeliver(db: Db, deliveryId: string) {
  const { count } = await db.webhookDelivery.updateMany({ where: { id: deliveryId }, data: { status: 'PENDING', nextAttemptAt: new Date(0), deliveredAt: null } });
  return count === 1;
}
