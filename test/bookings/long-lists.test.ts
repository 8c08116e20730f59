import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEMS_PER_SLICE } from '../../src/execution-bounds.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createBookableAccount, upcomingMonday } from '../support/booking-fixtures.ts';

let gateway: TestGateway;
let token: string;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;

beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db, { agents: 3 });
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
});

afterAll(() => gateway?.close());

const AVAILABILITY = `query ($input: AvailabilityInput!) { availability(input: $input) { startsAt endsAt agents { id name } } }`;

async function availability(from: string, to: string) {
  const result = await gateway.graphql(
    AVAILABILITY,
    { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.anyTeamId, from, to, timeZone: 'Europe/London' } },
    token,
  );
  expect(result.errors).toBeUndefined();
  return result.data.availability as Array<{ startsAt: string; endsAt: string; agents: Array<{ id: string; name: string }> }>;
}

describe('a long availability', () => {
  it('answers every slot, in order, exactly as the shorter ranges it is made of do', async () => {
    // Six weeks of 16 half-hour slots a weekday: 480 slots, computed a week at a time and completed in five slices.
    const monday = upcomingMonday();
    const end = monday.plus({ weeks: 6 });
    const whole = await availability(monday.toISO()!, end.toISO()!);
    expect(whole.length).toBe(6 * 5 * 16);
    expect(whole.length).toBeGreaterThan(4 * ITEMS_PER_SLICE);

    // Parts of five days and a half, which cut the weeks (and days) elsewhere than the gateway does.
    const parts: typeof whole = [];
    for (let start = monday; start < end; start = start.plus({ hours: 132 })) {
      const partEnd = DateTime.min(start.plus({ hours: 132 }), end);
      parts.push(...(await availability(start.toISO()!, partEnd.toISO()!)));
    }
    expect(parts.every((_, index) => index === 0 || parts[index - 1]!.startsAt < parts[index]!.startsAt)).toBe(true);
    expect(whole).toEqual(parts);
    expect(new Set(whole.flatMap((slot) => slot.agents.map((agent) => agent.name)))).toEqual(new Set(['Agent 1', 'Agent 2', 'Agent 3']));
  });
});
