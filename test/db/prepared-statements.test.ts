import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb, PREPARED_TEXTS_KEPT, queryScalar, type Db } from '../../src/db/client.ts';
import { compileRead } from '../../src/compiled-reads/compile.ts';
import { schema } from '../../src/schema/index.ts';
import { adminQuery } from '../support/admin.ts';
import { encodeId } from '../support/fixtures.ts';
import { databaseUrl } from '../support/database-url.ts';

// One connection, so every statement below runs on the session whose prepared statements are counted.
let db: Db;
beforeAll(async () => {
  const name = `prepared_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  db = createDb(databaseUrl(inject('adminDatabaseUrl'), name), { poolSize: 1 }).db;
});
afterAll(() => db?.$disconnect());

const preparedOnConnection = async () => Number(await queryScalar(db, 'SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql', [], { prepare: true }));

describe('hand-written statements (queryScalar)', () => {
  it('prepares a text once per connection and binds new parameters to it', async () => {
    const sql = `SELECT $1::int * 2 /* ${randomUUID()} */`;
    const before = await preparedOnConnection();
    expect(await queryScalar(db, sql, [21], { prepare: true })).toBe(42);
    expect(await queryScalar(db, sql, [5], { prepare: true })).toBe(10);
    // One more prepared statement, however often it ran (the counting statement was already prepared for `before`).
    expect(await preparedOnConnection()).toBe(before + 1);
  });

  it('keeps nothing for a statement not asked to be prepared', async () => {
    const before = await preparedOnConnection();
    expect(await queryScalar(db, `SELECT $1::int - 1 /* ${randomUUID()} */`, [1])).toBe(0);
    expect(await preparedOnConnection()).toBe(before);
  });

  it(`names at most ${PREPARED_TEXTS_KEPT} texts; later texts still run, unnamed`, async () => {
    for (let index = 0; index < PREPARED_TEXTS_KEPT + 25; index += 1) {
      expect(await queryScalar(db, `SELECT $1::int + ${index}`, [1000], { prepare: true })).toBe(1000 + index);
    }
    expect(await preparedOnConnection()).toBe(PREPARED_TEXTS_KEPT);
    // A named text keeps working after the names ran out.
    expect(await queryScalar(db, 'SELECT $1::int + 0', [7], { prepare: true })).toBe(7);
  });
});

describe('compiled reads', () => {
  const accountId = randomUUID();
  const compile = (query: string) =>
    compileRead({ schema, document: parse(query), variables: {}, accountsFor: () => [accountId], hasScope: () => true })!;
  const booking = encodeId('Booking', randomUUID());

  it('are prepared when they read by key only', () => {
    expect(compile(`{ node(id: "${booking}") { id ... on Booking { agents { name } customer { name } } } }`).prepare).toBe(true);
    expect(compile(`{ __typename a: node(id: "${booking}") { id } b: node(id: "${booking}") { id } }`).prepare).toBe(true);
  });

  it('are planned with their parameters every time when they read a list, whose best plan depends on the accounts', () => {
    expect(compile('{ bookings(first: 5) { nodes { id } } }').prepare).toBe(false);
    expect(compile(`{ node(id: "${booking}") { id } agents { totalCount } }`).prepare).toBe(false);
  });
});
