import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { startBackgroundWork } from '../background-work.ts';
import type { WebhookConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../observability/logger.ts';
import { encodeId } from '../schema/global-id.ts';
import { RESPONSE_EXCERPT_BYTES, retryDelayMs } from './policy.ts';
import { assertSafeTarget, guardedLookup, UnsafeTargetError } from './targets.ts';

interface Due {
  id: string;
  account_id: string;
  endpoint_id: string;
  attempts: number;
  event_id: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  url: string;
  secret: string;
  previous_secret: string | null;
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  excerpt: string | null;
}

/** The JSON body of a webhook: Standard Webhooks' `type`, `timestamp` and `data`. */
export function webhookBody(event: { type: string; occurredAt: Date; accountId: string; payload: Record<string, unknown> }): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: { accountId: encodeId('Account', event.accountId), ...event.payload } });
}

/**
 * `webhook-signature`: a `v1,` signature per live secret, space-separated,
 * so receivers holding either secret verify during a rotation's overlap.
 */
export function signatures(secrets: string[], messageId: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' ');
}

/**
 * Delivers queued webhooks, at least once each. Any number of gateways run
 * one: a due delivery is claimed with `FOR UPDATE SKIP LOCKED` and leased
 * (its next attempt moved past the request's timeout) before the POST, so a
 * gateway killed mid-request leaves it to be tried again once the lease
 * lapses. A booking's later event waits until its earlier ones were
 * delivered to that endpoint.
 */
export function startDeliveryWorker(options: { db: Db; config: WebhookConfig; logger: Logger; batch?: number }) {
  const { db, config, logger, batch = 20 } = options;
  const leaseMs = config.timeoutMs + 5_000;

  const claim = () =>
    db.$transaction(async (tx) => {
      const due = await tx.$queryRaw<Due[]>`
        SELECT delivery.id, delivery.account_id, delivery.endpoint_id, delivery.attempts, delivery.event_id,
               event.type, event.payload, event.occurred_at, endpoint.url, endpoint.secret,
               CASE WHEN endpoint.previous_secret_expires_at > now() THEN endpoint.previous_secret END AS previous_secret
        FROM webhook_deliveries AS delivery
        JOIN webhook_endpoints AS endpoint ON endpoint.id = delivery.endpoint_id AND endpoint.enabled
        JOIN outbox_events AS event ON event.id = delivery.event_id
        WHERE delivery.status = 'PENDING' AND delivery.next_attempt_at <= now()
          AND NOT EXISTS (
            SELECT 1 FROM webhook_deliveries AS earlier
            WHERE earlier.endpoint_id = delivery.endpoint_id AND earlier.subject_id = delivery.subject_id
              AND earlier.status = 'PENDING' AND earlier.event_seq < delivery.event_seq)
        ORDER BY delivery.event_seq
        LIMIT ${batch}
        FOR UPDATE OF delivery SKIP LOCKED`;
      if (due.length > 0) {
        await tx.$executeRaw`
          UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
          WHERE id = ANY(${due.map((row) => row.id)}::uuid[])`;
      }
      return due;
    });

  const deliver = async (row: Due) => {
    const attempt = row.attempts + 1;
    const body = webhookBody({ type: row.type, occurredAt: row.occurred_at, accountId: row.account_id, payload: row.payload });
    const outcome = await post(row, body, config);
    const delivered = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const delayMs = retryDelayMs(attempt, config.retryBaseMs, config.retryMaxMs);
    await db.$transaction([
      db.webhookAttempt.create({
        data: {
          accountId: row.account_id,
          deliveryId: row.id,
          attempt,
          statusCode: outcome.statusCode,
          error: outcome.error,
          durationMs: outcome.durationMs,
          responseExcerpt: outcome.excerpt,
        },
      }),
      delivered
        ? db.$executeRaw`UPDATE webhook_deliveries SET status = 'DELIVERED', delivered_at = now() WHERE id = ${row.id}::uuid`
        : db.$executeRaw`UPDATE webhook_deliveries SET next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}) WHERE id = ${row.id}::uuid`,
      delivered
        ? db.$executeRaw`UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = ${row.endpoint_id}::uuid AND consecutive_failures <> 0`
        : db.$executeRaw`
            UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
              enabled = enabled AND consecutive_failures + 1 < ${config.maxConsecutiveFailures},
              disabled_reason = CASE WHEN consecutive_failures + 1 >= ${config.maxConsecutiveFailures}
                THEN ${`Disabled after ${config.maxConsecutiveFailures} failed attempts in a row`} ELSE disabled_reason END
            WHERE id = ${row.endpoint_id}::uuid`,
    ]);
  };

  return startBackgroundWork(config.pollMs, async (isClosed) => {
    try {
      while (!isClosed()) {
        const due = await claim();
        if (due.length === 0) break;
        await Promise.all(due.map((row) => deliver(row).catch((error: unknown) => logger.error({ err: error, delivery: row.id }, 'recording a webhook delivery failed'))));
      }
    } catch (error) {
      if (!isClosed()) logger.error({ err: error }, 'claiming webhook deliveries failed; trying again shortly');
    }
  });
}

/** One signed POST, its outcome whatever happens: never throws. */
async function post(row: Due, body: string, config: WebhookConfig): Promise<Outcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const url = await assertSafeTarget(row.url, config.allowPrivateTargets);
    const timestamp = new Date();
    const secrets = row.previous_secret ? [row.secret, row.previous_secret] : [row.secret];
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'open-scheduling-gateway-webhooks',
      'webhook-id': row.event_id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signatures(secrets, row.event_id, timestamp, body),
    };
    const { statusCode, excerpt } = await send(url, headers, body, config);
    return { statusCode, error: statusCode >= 200 && statusCode < 300 ? null : `HTTP ${statusCode}`, durationMs: elapsed(), excerpt };
  } catch (error) {
    const message = error instanceof UnsafeTargetError ? error.message : error instanceof Error ? error.message || error.name : String(error);
    return { statusCode: null, error: message.slice(0, 500), durationMs: elapsed(), excerpt: null };
  }
}

function send(url: URL, headers: Record<string, string>, body: string, config: WebhookConfig): Promise<{ statusCode: number; excerpt: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: guardedLookup(config.allowPrivateTargets), timeout: config.timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < RESPONSE_EXCERPT_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, excerpt: Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8') }));
        response.on('error', reject);
      },
    );
    // The timeout bounds the whole exchange, not only idle sockets.
    const deadline = setTimeout(() => request.destroy(new Error(`No answer within ${config.timeoutMs} ms`)), config.timeoutMs);
    request.on('timeout', () => request.destroy(new Error(`No answer within ${config.timeoutMs} ms`)));
    request.on('error', reject);
    request.on('close', () => clearTimeout(deadline));
    request.end(body);
  });
}
