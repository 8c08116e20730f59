import type { Db } from '../../src/db/client.ts';
import { encodeId } from '../../src/schema/global-id.ts';

export { encodeId };

let sequence = 0;
const next = () => (sequence += 1);

export async function createAccount(db: Db, name = `Account ${next()}`, timeZone = 'Europe/London') {
  return db.account.create({ data: { name, slug: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${next()}`, timeZone } });
}

export async function createWorkday(db: Db, accountId: string, name = 'Office hours', timeZone = 'Europe/London') {
  return db.workday.create({
    data: {
      accountId,
      name,
      timeZone,
      hours: {
        createMany: {
          data: [1, 2, 3, 4, 5].map((weekday) => ({
            accountId,
            weekday,
            startTime: new Date('1970-01-01T09:00:00Z'),
            endTime: new Date('1970-01-01T17:00:00Z'),
          })),
        },
      },
    },
  });
}

/** `count` agents on one workday, each in a team of the account and with one holiday. */
export async function createStaffedAccount(db: Db, options: { name?: string; agents: number; teams?: number }) {
  const account = await createAccount(db, options.name);
  const workday = await createWorkday(db, account.id);
  const teams = await Promise.all(
    Array.from({ length: options.teams ?? 2 }, (_, index) =>
      db.team.create({ data: { accountId: account.id, internalName: `Team ${index + 1}`, externalName: `Support ${index + 1}` } }),
    ),
  );
  const agents = [];
  for (let index = 0; index < options.agents; index += 1) {
    const number = String(index + 1).padStart(3, '0');
    const agent = await db.agent.create({
      data: {
        accountId: account.id,
        name: `Agent ${number}`,
        email: `agent${number}@${account.slug}.example`,
        timeZone: 'Europe/London',
        workdayId: workday.id,
        memberships: { create: { accountId: account.id, teamId: teams[index % teams.length]!.id, priority: index } },
        holidays: {
          create: {
            accountId: account.id,
            name: 'Annual leave',
            startsAt: new Date('2026-12-24T00:00:00Z'),
            endsAt: new Date('2026-12-27T00:00:00Z'),
            allDay: true,
          },
        },
      },
    });
    agents.push(agent);
  }
  return { account, workday, teams, agents };
}
