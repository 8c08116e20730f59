import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { databaseBefore } from '../support/migration-database.ts';

const MIGRATION = '20261203120000_one_customer_per_email';

describe(`migration ${MIGRATION}`, () => {
  let url: string;
  let client: pg.Client;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ url, client, drop } = await databaseBefore(MIGRATION));
  });

  afterAll(() => drop?.());

  it('merges customers of one account and e-mail into the oldest, keeping their bookings and requests, then makes the e-mail unique', async () => {
    const one = async (sql: string, values: unknown[] = []) => (await client.query(sql, values)).rows[0];
    const account = (await one(`INSERT INTO accounts (name, slug, time_zone) VALUES ('A', 'a', 'UTC') RETURNING id`)).id;
    const other = (await one(`INSERT INTO accounts (name, slug, time_zone) VALUES ('B', 'b', 'UTC') RETURNING id`)).id;
    const agent = (await one(`INSERT INTO agents (account_id, name, email, time_zone) VALUES ($1, 'Al', 'al@a.example', 'UTC') RETURNING id`, [account])).id;
    const type = (await one(`INSERT INTO appointment_types (account_id, internal_name, external_name, duration_minutes) VALUES ($1, 'T', 'T', 30) RETURNING id`, [account])).id;
    const customer = async (accountId: string, email: string, createdAt: string) =>
      (await one(`INSERT INTO customers (account_id, name, email, created_at) VALUES ($1, 'Ann', $2, $3) RETURNING id`, [accountId, email, createdAt])).id as string;
    const oldest = await customer(account, 'Ann@Example.com', '2026-01-01T00:00:00Z');
    const copy = await customer(account, 'ann@example.com', '2026-02-01T00:00:00Z');
    const loudCopy = await customer(account, 'ANN@EXAMPLE.COM', '2026-03-01T00:00:00Z');
    const otherAccount = await customer(other, 'ann@example.com', '2026-04-01T00:00:00Z');
    const booking = (await one(
      `INSERT INTO bookings (account_id, appointment_type_id, agent_id, customer_id, status, starts_at, ends_at)
       VALUES ($1, $2, $3, $4, 'CONFIRMED', '2027-01-04T10:00:00Z', '2027-01-04T10:30:00Z') RETURNING id`,
      [account, type, agent, copy],
    )).id;
    const request = (await one(
      `INSERT INTO scheduling_requests (account_id, appointment_type_id, requested_by_agent_id, customer_id, appointment_type_snapshot, agent_ids)
       VALUES ($1, $2, $3, $4, '{}', ARRAY[$3::uuid]) RETURNING id`,
      [account, type, agent, loudCopy],
    )).id;

    // Later migrations apply after it.
    expect((await migrate(url))[0]).toBe(MIGRATION);

    const { rows: customers } = await client.query(`SELECT id, account_id, email FROM customers ORDER BY created_at`);
    expect(customers).toEqual([
      { id: oldest, account_id: account, email: 'ann@example.com' },
      { id: otherAccount, account_id: other, email: 'ann@example.com' },
    ]);
    expect((await one(`SELECT customer_id FROM bookings WHERE id = $1`, [booking])).customer_id).toBe(oldest);
    expect((await one(`SELECT customer_id FROM scheduling_requests WHERE id = $1`, [request])).customer_id).toBe(oldest);
    await expect(customer(account, 'ANN@example.com', '2026-05-01T00:00:00Z')).rejects.toThrow(/customers_account_id_lower_email_key/);
  });
});
