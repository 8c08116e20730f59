import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { databaseBefore } from '../support/migration-database.ts';

const MIGRATION = '20261203153000_calendar_feeds';

describe(`migration ${MIGRATION}`, () => {
  let url: string;
  let client: pg.Client;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ url, client, drop } = await databaseBefore(MIGRATION));
  });

  afterAll(() => drop?.());

  it('gives bookings rescheduled before it the first booking of their chain and their SEQUENCE', async () => {
    const one = async (sql: string, values: unknown[] = []) => (await client.query(sql, values)).rows[0];
    const account = (await one(`INSERT INTO accounts (name, slug, time_zone) VALUES ('A', 'a', 'UTC') RETURNING id`)).id;
    const agent = (await one(`INSERT INTO agents (account_id, name, email, time_zone) VALUES ($1, 'Al', 'al@a.example', 'UTC') RETURNING id`, [account])).id;
    const type = (await one(`INSERT INTO appointment_types (account_id, internal_name, external_name, duration_minutes) VALUES ($1, 'T', 'T', 30) RETURNING id`, [account])).id;
    const customer = (await one(`INSERT INTO customers (account_id, name, email) VALUES ($1, 'Ann', 'ann@example.com') RETURNING id`, [account])).id;
    const booking = async (status: string, hour: number, rescheduledFrom: string | null) =>
      (await one(
        `INSERT INTO bookings (account_id, appointment_type_id, agent_id, customer_id, status, starts_at, ends_at, rescheduled_from_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [account, type, agent, customer, status, `2027-01-04T${hour}:00:00Z`, `2027-01-04T${hour}:30:00Z`, rescheduledFrom],
      )).id as string;
    const first = await booking('RESCHEDULED', 10, null);
    const second = await booking('RESCHEDULED', 11, first);
    const third = await booking('CONFIRMED', 12, second);
    const alone = await booking('CANCELLED', 13, null);

    expect((await migrate(url))[0]).toBe(MIGRATION);

    const { rows } = await client.query(`SELECT id, original_booking_id, sequence FROM bookings ORDER BY starts_at`);
    expect(rows).toEqual([
      { id: first, original_booking_id: null, sequence: 0 },
      { id: second, original_booking_id: first, sequence: 1 },
      { id: third, original_booking_id: first, sequence: 2 },
      { id: alone, original_booking_id: null, sequence: 0 },
    ]);
  });
});
