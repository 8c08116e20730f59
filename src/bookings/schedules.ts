import type { Db } from '../db/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { AgentSchedule, AppointmentRules, SchedulingMode } from '../scheduling/availability.ts';
import type { Interval } from '../scheduling/intervals.ts';
import { NotFoundError, ValidationError } from '../schema/errors.ts';
import { decodeId } from '../schema/global-id.ts';

const DAY_MS = 86_400_000;

/** What a booking or availability input's `resourceId` names: one agent, or a team and its members. */
export interface ResolvedResource {
  kind: 'AGENT' | 'TEAM';
  id: string;
  accountId: string;
  mode: SchedulingMode;
  members: Array<{ agentId: string; priority: number | null }>;
}

/** Resolves a resource id (an Agent or a Team) through the account-scoped client; anything else is not found. */
export async function resolveResource(db: Db, globalId: string): Promise<ResolvedResource> {
  const { typename, id } = decodeId(globalId);
  if (typename === 'Agent') {
    const agent = await db.agent.findUnique({ where: { id }, select: { id: true, accountId: true, schedulable: true } });
    if (!agent) throw new NotFoundError(globalId);
    if (!agent.schedulable) throw ValidationError.of(['input', 'resourceId'], 'This agent cannot be scheduled');
    return { kind: 'AGENT', id, accountId: agent.accountId, mode: 'SINGLE', members: [{ agentId: id, priority: null }] };
  }
  if (typename === 'Team') {
    const team = await db.team.findUnique({
      where: { id },
      select: {
        accountId: true,
        schedulingMode: true,
        memberships: { where: { agent: { schedulable: true } }, select: { agentId: true, priority: true } },
      },
    });
    if (!team) throw new NotFoundError(globalId);
    return { kind: 'TEAM', id, accountId: team.accountId, mode: team.schedulingMode, members: team.memberships };
  }
  throw ValidationError.of(['input', 'resourceId'], 'Must be the id of an Agent or a Team');
}

export async function loadAppointmentType(db: Db, globalId: string, accountId?: string) {
  const { typename, id } = decodeId(globalId);
  const type = typename === 'AppointmentType' ? await db.appointmentType.findUnique({ where: { id } }) : null;
  if (!type || (accountId && type.accountId !== accountId)) throw new NotFoundError(globalId);
  if (!type.active) throw ValidationError.of(['input', 'appointmentTypeId'], 'This appointment type is not active');
  return type;
}

export function rulesOf(type: AppointmentRules): AppointmentRules {
  return {
    durationMinutes: type.durationMinutes,
    bufferBeforeMinutes: type.bufferBeforeMinutes,
    bufferAfterMinutes: type.bufferAfterMinutes,
    slotIntervalMinutes: type.slotIntervalMinutes,
    minimumNoticeMinutes: type.minimumNoticeMinutes,
    bookingWindowDays: type.bookingWindowDays,
  };
}

const timeOf = (value: Date) => value.toISOString().slice(11, 19);
const dateOf = (value: Date) => value.toISOString().slice(0, 10);

/**
 * Everything availability needs about some agents over `range`, in a fixed
 * number of queries whatever the number of agents and days: their workdays
 * with hours and overrides, their holidays, and the active time blocks
 * around the range. `ignore` leaves out the blocks of a booking or
 * reservation that is being converted or moved.
 */
export async function loadSchedules(
  db: Db,
  agentIds: string[],
  range: Interval,
  ignore: { bookingId?: string; reservationId?: string } = {},
): Promise<AgentSchedule[]> {
  const from = new Date(range.start - DAY_MS);
  const to = new Date(range.end + DAY_MS);
  const [agents, holidays, busyRows] = await Promise.all([
    db.agent.findMany({
      where: { id: { in: agentIds } },
      select: {
        id: true,
        timeZone: true,
        workdayId: true,
        workday: {
          select: {
            timeZone: true,
            hours: { select: { weekday: true, startTime: true, endTime: true } },
            overrides: { where: { date: { gte: from, lte: to } }, select: { date: true, startTime: true, endTime: true } },
          },
        },
      },
    }),
    db.holiday.findMany({
      where: {
        OR: [{ agentId: { in: agentIds } }, { workday: { agents: { some: { id: { in: agentIds } } } } }],
        startsAt: { lt: to },
        endsAt: { gt: from },
      },
      select: { agentId: true, workdayId: true, startsAt: true, endsAt: true },
    }),
    // Bookings made with allowDoubleBooking count as busy too: the constraint lets them overlap, but the time is taken.
    db.$queryRaw<Array<{ agent_id: string; starts: Date; ends: Date }>>`
      SELECT agent_id, lower(during) AS starts, upper(during) AS ends
      FROM time_blocks
      WHERE agent_id = ANY(${agentIds}::uuid[])
        AND active
        AND (expires_at IS NULL OR expires_at > now())
        AND during && tstzrange(${from}::timestamptz, ${to}::timestamptz, '[)')
        ${ignore.bookingId ? Prisma.sql`AND booking_id IS DISTINCT FROM ${ignore.bookingId}::uuid` : Prisma.empty}
        ${ignore.reservationId ? Prisma.sql`AND reservation_id IS DISTINCT FROM ${ignore.reservationId}::uuid` : Prisma.empty}`,
  ]);
  const byAgent = new Map(agents.map((agent) => [agent.id, agent]));
  const busyByAgent = groupBy(busyRows, (row) => row.agent_id);
  return agentIds.flatMap((agentId) => {
    const agent = byAgent.get(agentId);
    if (!agent) return [];
    return [
      {
        agentId,
        // An agent without a workday has no working hours, so no availability.
        timeZone: agent.workday?.timeZone ?? agent.timeZone,
        weeklyHours: (agent.workday?.hours ?? []).map((hours) => ({
          weekday: hours.weekday,
          startTime: timeOf(hours.startTime),
          endTime: timeOf(hours.endTime),
        })),
        overrides: (agent.workday?.overrides ?? []).map((override) => ({
          date: dateOf(override.date),
          startTime: override.startTime ? timeOf(override.startTime) : null,
          endTime: override.endTime ? timeOf(override.endTime) : null,
        })),
        holidays: holidays
          .filter((holiday) => holiday.agentId === agentId || (holiday.workdayId !== null && holiday.workdayId === agent.workdayId))
          .map((holiday) => ({ start: holiday.startsAt.getTime(), end: holiday.endsAt.getTime() })),
        busy: (busyByAgent.get(agentId) ?? []).map((row) => ({ start: row.starts.getTime(), end: row.ends.getTime() })),
      },
    ];
  });
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
