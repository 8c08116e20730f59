import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, upcomingMonday } from '../support/booking-fixtures.ts';

let gateway: TestGateway;
let token: string;
let otherClientToken: string;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
const monday = upcomingMonday();
const customer = { name: 'Marty McFly', email: 'marty@hillvalley.example' };

beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db);
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
  otherClientToken = await gateway.tokenFor({ accounts: [setup.account.id] });
});

afterAll(() => gateway?.close());

const CREATE_BOOKING = `mutation ($input: CreateBookingInput!) { createBooking(input: $input) {
  __typename ... on CreateBookingSuccess { data { id startsAt } } ... on IdempotencyKeyReusedError { key } ... on Error { message } } }`;
const RESERVE_SLOT = `mutation ($input: ReserveSlotInput!) { reserveSlot(input: $input) {
  __typename ... on ReserveSlotSuccess { data { id startsAt } } ... on IdempotencyKeyReusedError { key } ... on Error { message } } }`;
const CREATE_REQUEST = `mutation ($input: CreateSchedulingRequestInput!) { createSchedulingRequest(input: $input) {
  __typename ... on CreateSchedulingRequestSuccess { data { id resourceIds } } ... on IdempotencyKeyReusedError { key } ... on Error { message } } }`;

/**
 * One idempotent operation, described well enough to run the same checks on each:
 * how to call it, how to vary its input, and how many rows of its kind exist.
 */
interface Operation {
  name: 'createBooking' | 'reserveSlot' | 'createSchedulingRequest';
  mutation: string;
  /** An input for the `slot`-th free time of `day` (distinct slots never collide). */
  input(day: number, slot: number, key: string): Record<string, unknown>;
  rows(): Promise<number>;
}

const hour = (slot: number) => `${String(9 + Math.floor(slot / 2)).padStart(2, '0')}:${slot % 2 === 0 ? '00' : '30'}`;

const operations: Operation[] = [
  {
    name: 'createBooking',
    mutation: CREATE_BOOKING,
    input: (day, slot, idempotencyKey) => ({
      appointmentTypeId: setup.instantTypeId,
      resourceId: setup.agentIds[0],
      startsAt: at(monday.plus({ days: day }), hour(slot)),
      customer,
      idempotencyKey,
    }),
    rows: () => gateway.db.booking.count(),
  },
  {
    name: 'reserveSlot',
    mutation: RESERVE_SLOT,
    input: (day, slot, idempotencyKey) => ({
      appointmentTypeId: setup.instantTypeId,
      resourceId: setup.agentIds[1],
      startsAt: at(monday.plus({ days: day }), hour(slot)),
      ttlSeconds: 3600,
      idempotencyKey,
    }),
    rows: () => gateway.db.reservation.count(),
  },
  {
    name: 'createSchedulingRequest',
    mutation: CREATE_REQUEST,
    // Scheduling requests hold no time: the "slot" only varies the input.
    input: (_day, slot, idempotencyKey) => ({
      appointmentTypeId: setup.instantTypeId,
      requestedByAgentId: setup.agentIds[0],
      resourceIds: [setup.agentIds[slot % 3]],
      customer,
      idempotencyKey,
    }),
    rows: () => gateway.db.schedulingRequest.count(),
  },
];

async function run(operation: Operation, input: Record<string, unknown>, as = token) {
  const result = await gateway.graphql(operation.mutation, { input }, as);
  expect(result.errors).toBeUndefined();
  return result.data[operation.name] as { __typename: string; data?: { id: string }; key?: string; message?: string };
}

describe.each(operations.map((operation, index) => ({ operation, day: index })))('$operation.name with an idempotencyKey', ({ operation, day }) => {
  it('returns the first result for a repeat with the same key and input, without a second row', async () => {
    const key = randomUUID();
    const input = operation.input(day, 0, key);
    const first = await run(operation, input);
    expect(first.__typename).toMatch(/Success$/);
    const rows = await operation.rows();

    const repeat = await run(operation, input);
    expect(repeat).toEqual(first);
    expect(await operation.rows()).toBe(rows);
  });

  it('refuses the same key with a different input, writing nothing', async () => {
    const key = randomUUID();
    const first = await run(operation, operation.input(day, 1, key));
    expect(first.__typename).toMatch(/Success$/);
    const rows = await operation.rows();

    const reused = await run(operation, operation.input(day, 2, key));
    expect(reused).toMatchObject({ __typename: 'IdempotencyKeyReusedError', key });
    expect(await operation.rows()).toBe(rows);
  });

  it('keeps keys apart per API client: another client with the same key does the work', async () => {
    const key = randomUUID();
    const mine = await run(operation, operation.input(day, 3, key));
    expect(mine.__typename).toMatch(/Success$/);
    const rows = await operation.rows();

    const theirs = await run(operation, operation.input(day, 4, key), otherClientToken);
    expect(theirs.__typename).toMatch(/Success$/);
    expect(theirs.data!.id).not.toBe(mine.data!.id);
    expect(await operation.rows()).toBe(rows + 1);
  });

  it('does the work once for 10 concurrent identical calls, and answers all of them with its result', async () => {
    const key = randomUUID();
    const input = operation.input(day, 5, key);
    const rows = await operation.rows();

    const results = await Promise.all(Array.from({ length: 10 }, () => run(operation, input)));

    expect(results.map((result) => result.__typename)).toEqual(Array(10).fill(results[0]!.__typename));
    expect(results[0]!.__typename).toMatch(/Success$/);
    expect(new Set(results.map((result) => result.data!.id)).size).toBe(1);
    expect(await operation.rows()).toBe(rows + 1);
  });

  it('keeps a key for 24 hours: once its record is 25 hours old the key is free for new work', async () => {
    const key = randomUUID();
    const first = await run(operation, operation.input(day, 6, key));
    expect(first.__typename).toMatch(/Success$/);
    const kept = await run(operation, operation.input(day, 7, key));
    expect(kept.__typename).toBe('IdempotencyKeyReusedError');

    const { count } = await gateway.db.idempotencyKey.updateMany({
      where: { key, operation: operation.name },
      data: { createdAt: new Date(Date.now() - 25 * 3_600_000) },
    });
    expect(count).toBe(1);
    const rows = await operation.rows();

    const fresh = await run(operation, operation.input(day, 7, key));
    expect(fresh.__typename).toMatch(/Success$/);
    expect(fresh.data!.id).not.toBe(first.data!.id);
    expect(await operation.rows()).toBe(rows + 1);
    // The key now answers for the new work.
    expect(await run(operation, operation.input(day, 7, key))).toEqual(fresh);
  });
});
