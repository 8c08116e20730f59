import type { Db } from '../db/client.ts';
import { clampToStorable } from '../scheduling/storable-time.ts';
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
    // Two reads side by side: as one nested read, Prisma would wait for the team before asking for its members.
    const [team, members] = await Promise.all([
      db.team.findUnique({ where: { id }, select: { accountId: true, schedulingMode: true } }),
      db.teamMembership.findMany({ where: { teamId: id, agent: { schedulable: true } }, select: { agentId: true, priority: true } }),
    ]);
    if (!team) throw new NotFoundError(globalId);
    return { kind: 'TEAM', id, accountId: team.accountId, mode: team.schedulingMode, members };
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

const dateOf = (value: Date) => value.toISOString().slice(0, 10);

/** An aggregate of the intervals `[start, end)`, as one `start,end,start,end…` text of epoch milliseconds (see `intervalsOf`). */
const boundsAsText = (start: string, end: string) => Prisma.raw(`string_agg(${epochMs(start)} || ',' || ${epochMs(end)}, ',')`);

/**
 * A timestamp as whole epoch milliseconds, truncated as JavaScript's Date truncates. Computed in float8, as the
 * numeric that `extract` gives is slow to compute and print for thousands of rows; truncating first leaves the
 * float only a rounding error, which `round` removes.
 */
const epochMs = (timestamp: string) => `round(date_part('epoch', date_trunc('milliseconds', ${timestamp})) * 1000)::bigint`;

interface AgentRow {
  agent_id: string;
  time_zone: string;
  /** `[weekday, startTime, endTime]`, or null without a workday or hours. */
  weekly_hours: Array<[number, string, string]> | null;
  /** `[date, startTime, endTime]`, times null for a closed date. */
  overrides: Array<[string, string | null, string | null]> | null;
  holidays: string | null;
}

/**
 * Everything availability needs about some agents over `range`, in two
 * queries whatever the number of agents and days: their workdays with hours
 * and overrides and their holidays, and the active time blocks around the
 * range. `ignore` leaves out the blocks of a booking or reservation that is
 * being converted or moved. The agent ids must come from the caller's
 * account-scoped client (as `resolveResource` gives them): these queries are
 * SQL, so the client's account scope does not reach them.
 */
export async function loadSchedules(
  db: Db,
  agentIds: string[],
  range: Interval,
  ignore: { bookingId?: string; reservationId?: string } = {},
): Promise<AgentSchedule[]> {
  const from = new Date(clampToStorable(range.start - DAY_MS));
  const to = new Date(clampToStorable(range.end + DAY_MS));
  // SQL rather than nested Prisma reads, which take five queries, three of them one after another.
  // Hours, overrides and holidays come as JSON and text per agent, since rows of each would be decoded one by one.
  const [agents, busyRows] = await Promise.all([
    db.$queryRaw<AgentRow[]>`
      SELECT agents.id AS agent_id,
             coalesce(workdays.time_zone, agents.time_zone) AS time_zone,
             (SELECT json_agg(json_build_array(weekday, to_char(start_time, 'HH24:MI:SS'), to_char(end_time, 'HH24:MI:SS')))
                FROM working_hours WHERE working_hours.workday_id = agents.workday_id) AS weekly_hours,
             (SELECT json_agg(json_build_array(to_char(date, 'YYYY-MM-DD'), to_char(start_time, 'HH24:MI:SS'), to_char(end_time, 'HH24:MI:SS')))
                FROM workday_overrides
                WHERE workday_overrides.workday_id = agents.workday_id AND date BETWEEN ${dateOf(from)}::date AND ${dateOf(to)}::date) AS overrides,
             (SELECT ${boundsAsText('starts_at', 'ends_at')}
                FROM holidays
                WHERE (holidays.agent_id = agents.id OR holidays.workday_id = agents.workday_id)
                  AND starts_at < ${to} AND ends_at > ${from}) AS holidays
      FROM agents LEFT JOIN workdays ON workdays.id = agents.workday_id
      WHERE agents.id = ANY(${agentIds}::uuid[])`,
    // Bookings made with allowDoubleBooking count as busy too: the constraint lets them overlap, but the time is taken.
    // A busy team has thousands of blocks a month: decoding them as rows of timestamps would cost more than computing
    // the availability, so each agent's blocks come as one text.
    db.$queryRaw<Array<{ agent_id: string; blocks: string }>>`
      SELECT agent_id, ${boundsAsText('lower(during)', 'upper(during)')} AS blocks
      FROM time_blocks
      WHERE agent_id = ANY(${agentIds}::uuid[])
        AND active
        AND (expires_at IS NULL OR expires_at > now())
        AND during && tstzrange(${from}::timestamptz, ${to}::timestamptz, '[)')
        ${ignore.bookingId ? Prisma.sql`AND booking_id IS DISTINCT FROM ${ignore.bookingId}::uuid` : Prisma.empty}
        ${ignore.reservationId ? Prisma.sql`AND reservation_id IS DISTINCT FROM ${ignore.reservationId}::uuid` : Prisma.empty}
      GROUP BY agent_id`,
  ]);
  const byAgent = new Map(agents.map((agent) => [agent.agent_id, agent]));
  const busyByAgent = new Map(busyRows.map((row) => [row.agent_id, intervalsOf(row.blocks)]));
  return agentIds.flatMap((agentId) => {
    const agent = byAgent.get(agentId);
    if (!agent) return [];
    return [
      {
        agentId,
        timeZone: agent.time_zone,
        // An agent without a workday has no working hours, so no availability.
        weeklyHours: (agent.weekly_hours ?? []).map(([weekday, startTime, endTime]) => ({ weekday, startTime, endTime })),
        overrides: (agent.overrides ?? []).map(([date, startTime, endTime]) => ({ date, startTime, endTime })),
        holidays: agent.holidays ? intervalsOf(agent.holidays) : [],
        busy: busyByAgent.get(agentId) ?? [],
      },
    ];
  });
}

/** Intervals from `start,end,start,end…`. */
function intervalsOf(bounds: string): Interval[] {
  const numbers = JSON.parse(`[${bounds}]`) as number[];
  const intervals: Interval[] = [];
  for (let index = 0; index + 1 < numbers.length; index += 2) intervals.push({ start: numbers[index]!, end: numbers[index + 1]! });
  return intervals;
}
