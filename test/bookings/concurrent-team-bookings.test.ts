import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, upcomingMonday } from '../support/booking-fixtures.ts';

let gateway: TestGateway;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
let token: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db, { name: 'Race', agents: 3 });
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
});

afterAll(() => gateway?.close());

const BOOK = `mutation ($input: CreateBookingInput!) { createBooking(input: $input) {
  __typename ... on CreateBookingSuccess { data { id } } } }`;

/** Weekdays from a week ahead on, one per run, so every run starts from an empty day. */
function weekdays(count: number) {
  const days = [];
  for (let day = upcomingMonday(); days.length < count; day = day.plus({ days: 1 })) if (day.weekday <= 5) days.push(day);
  return days;
}

const RUNS = Number(process.env.RACE_RUNS ?? 24);

describe('concurrent bookings of a team and of its members', () => {
  it('answer only success or SlotUnavailableError, and never hold one agent twice at once', { timeout: 180_000 }, async () => {
    const outcomes = new Map<string, number>();
    for (const [run, day] of weekdays(RUNS).entries()) {
      // A 60-minute type with a 15-minute buffer on a 15-minute grid: every request overlaps several others.
      const start = (index: number) => at(day, `${10 + Math.floor((index * 15) / 60)}:${String((index * 15) % 60).padStart(2, '0')}`);
      const team = run % 2 === 0 ? setup.collectiveTeamId : setup.anyTeamId;
      const requests = [
        ...Array.from({ length: 8 }, (_, index) => ({ resourceId: team, startsAt: start(index % 4) })),
        ...Array.from({ length: 8 }, (_, index) => ({ resourceId: setup.agentIds[index % 3], startsAt: start(3 - (index % 4)) })),
      ];
      const results = await Promise.all(
        requests.map((request, index) =>
          gateway.graphql(BOOK, {
            input: { appointmentTypeId: setup.confirmTypeId, ...request, customer: { name: 'Racer', email: `racer${run}.${index}@example.com` } },
          }, token),
        ),
      );
      for (const result of results) {
        const outcome = result.errors ? `error ${result.errors[0]!.extensions?.code}: ${result.errors[0]!.message}` : result.data.createBooking.__typename;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }
    expect([...outcomes.keys()].filter((outcome) => outcome !== 'CreateBookingSuccess' && outcome !== 'SlotUnavailableError'), JSON.stringify([...outcomes])).toEqual([]);
    expect(outcomes.get('CreateBookingSuccess')).toBeGreaterThan(RUNS);

    const overlapping = await gateway.db.$queryRaw<Array<{ count: bigint }>>`
      SELECT count(*) FROM time_blocks AS a JOIN time_blocks AS b
        ON a.agent_id = b.agent_id AND a.id < b.id AND a.during && b.during
      WHERE a.active AND b.active AND a.exclusive AND b.exclusive`;
    expect(Number(overlapping[0]!.count)).toBe(0);
    const unheld = await gateway.db.$queryRaw<Array<{ count: bigint }>>`
      SELECT count(*) FROM bookings WHERE NOT EXISTS (SELECT 1 FROM time_blocks WHERE time_blocks.booking_id = bookings.id AND active)`;
    expect(Number(unheld[0]!.count)).toBe(0);
  });
});
