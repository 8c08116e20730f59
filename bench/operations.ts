import { existsSync } from 'node:fs';
import { DateTime } from 'luxon';
import { accountZone, agentsOf, LINEARITY_TEAM_SIZES, seededId, type DatasetShape } from './seed.ts';

export type ServerKind = 'gateway' | 'raw' | 'postgraphile';
export type OperationKey = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k';

export interface RequestBody {
  operationName?: string;
  query: string;
  variables?: Record<string, unknown>;
}

/** What an operation needs to know about the seeded data; every id is a database uuid. */
export interface BenchContext {
  shape: DatasetShape;
  accountIds: string[];
  bookingId: string;
  /** Teams of account 0 with 5, 10, 20 and 40 members (fewer on a small dataset), by intended size. */
  linearityTeams: Map<number, { id: string; members: number }>;
  appointmentTypeId: string;
  /** The path of a calendar feed of agent 0 (the secret included), made for this run. */
  calendarFeedPath: string;
  /** Bookings of agent 0 in that feed's window. */
  calendarFeedEvents: number;
  /** Monday 00:00 UTC after today: availability windows start there. */
  availabilityFrom: DateTime;
}

export interface Operation {
  key: OperationKey;
  title: string;
  /** The servers that answer it; the raw server answers only what it can reproduce byte for byte. */
  servers: ServerKind[];
  /**
   * Load: autocannon at fixed connections. Race: one burst of concurrent requests for the same slot. Noisy:
   * the load of (a), measured quiet and then while another client sends `noise` (bench/run.ts). Subscribers and
   * webhooks: bench/realtime.ts.
   */
  kind: 'load' | 'race' | 'noisy' | 'subscribers' | 'webhooks';
  /** The same body on every request, or a fresh one per request (writes that must not collide). */
  body?: (context: BenchContext) => RequestBody;
  nextBody?: (context: BenchContext) => () => RequestBody;
  /** Instead of a body POSTed to /graphql: a GET of this path (a load operation of the gateway only). */
  get?: (context: BenchContext) => string;
}

export const encodeId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64url');

const BOOKING_SELECTION = `id status startsAt endsAt title agents { id name email } customer { id name email } appointmentType { id internalName durationMinutes }`;

export const CREATE_BOOKING = `mutation CreateBooking($input: CreateBookingInput!) {
  createBooking(input: $input) {
    __typename
    ... on CreateBookingSuccess { data { id status startsAt } }
    ... on Error { message }
  }
}`;

export function availabilityBody(context: BenchContext, teamId: string, days: number): RequestBody {
  return {
    operationName: 'TeamAvailability',
    query: `query TeamAvailability($input: AvailabilityInput!) { availability(input: $input) { startsAt endsAt agents { id name } } }`,
    variables: {
      input: {
        appointmentTypeId: encodeId('AppointmentType', context.appointmentTypeId),
        resourceId: encodeId('Team', teamId),
        from: context.availabilityFrom.toISO(),
        to: context.availabilityFrom.plus({ days }).toISO(),
        timeZone: accountZone(0),
      },
    },
  };
}

const SLOT_TIMES_PER_DAY = 16; // 09:00 … 16:30, every 30 minutes

/**
 * Free slots far beyond the seeded bookings (and within the types' 730-day
 * window): a business day, an agent of account 0, a half hour. Each call
 * hands out the next one, across all servers, so no two requests collide.
 */
export function freeSlots(shape: DatasetShape, firstWeekAfterData: number) {
  const agents = agentsOf(shape.size, 0);
  const zone = accountZone(0);
  const start = DateTime.fromISO(shape.firstMonday, { zone }).plus({ weeks: Math.max(shape.weeks, 0) + firstWeekAfterData });
  const lastDay = DateTime.now().plus({ days: 720 });
  let next = 0;
  return {
    take(): { agentId: string; startsAt: string } | undefined {
      const index = next++;
      const agent = agents[index % agents.length]!;
      const rest = Math.floor(index / agents.length);
      const businessDay = Math.floor(rest / SLOT_TIMES_PER_DAY);
      const day = start.plus({ weeks: Math.floor(businessDay / 5), days: businessDay % 5 });
      if (day > lastDay) return undefined;
      const startsAt = day.set({ hour: 9, minute: 0 }).plus({ minutes: 30 * (rest % SLOT_TIMES_PER_DAY) });
      return { agentId: seededId('agent', agent), startsAt: startsAt.toUTC().toISO()! };
    },
  };
}

const bookingsPage = (): RequestBody => ({
  operationName: 'BookingsPage',
  query: `query BookingsPage($first: Int) { bookings(first: $first, orderBy: [{ field: STARTS_AT, direction: DESC }]) { nodes { ${BOOKING_SELECTION} } } }`,
  variables: { first: 100 },
});

const createBookingBody = (context: BenchContext, slot: { agentId: string; startsAt: string }): RequestBody => ({
  operationName: 'CreateBooking',
  query: CREATE_BOOKING,
  variables: {
    input: {
      appointmentTypeId: encodeId('AppointmentType', context.appointmentTypeId),
      resourceId: encodeId('Agent', slot.agentId),
      startsAt: slot.startsAt,
      customer: { name: 'Bench Customer', email: 'bench-customer@example.com', timeZone: 'Europe/London' },
      title: 'Benchmark booking',
    },
  },
});

/**
 * What the noisy neighbour of row (h) sends, in turn, on each of its connections: operations that cost the
 * gateway much, and operations it refuses. To add one (say, an operation the query-cost limits refuse with
 * QUERY_TOO_COMPLEX), add an entry: `outcome` says what the gateway must answer, and a request answered
 * otherwise is counted as unexpected.
 */
export interface NoiseRequest {
  name: string;
  body: RequestBody;
  /** Whose token the request carries: the noisy client's, or one no gateway issued. */
  token: 'noisy client' | 'forged';
  /** 'throttled' is a 429: the client's query-cost budget is spent. */
  outcome: 'data' | 'refused' | 'data or throttled';
}

/** Well-formed, signed by no key of the gateway's. */
export const FORGED_TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzZ2Nfbm9ib2R5In0.c2lnbmF0dXJl';

/** An agent's teams' members' agents, `levels` times over: two levels of nesting each. */
function nested(levels: number): string {
  let selection = 'name';
  for (let level = 0; level < levels; level += 1) selection = `teams { members { agent { ${selection} } } }`;
  return selection;
}

export function noise(context: BenchContext): NoiseRequest[] {
  const team20 = context.linearityTeams.get(20)!;
  const reportFrom = DateTime.fromISO(context.shape.firstMonday, { zone: 'utc' }).plus({ weeks: Math.max(context.shape.weeks - 4, 0) });
  return [
    { name: 'availability, 59 days', body: availabilityBody(context, team20.id, 59), token: 'noisy client', outcome: 'data or throttled' },
    { name: 'forged token', body: { query: '{ viewer { clientId } }' }, token: 'forged', outcome: 'refused' },
    {
      name: 'report by day × agent, 4 weeks',
      body: {
        operationName: 'DailyAgentReport',
        query: `query DailyAgentReport($from: DateTime!, $to: DateTime!) {
  schedulingReport(input: { subject: BOOKINGS, from: $from, to: $to, groupBy: [DAY, AGENT], limit: 10000 }) {
    period agent { id name } count scheduledMinutes confirmed cancelled noShows
  }
}`,
        variables: { from: reportFrom.toISO(), to: reportFrom.plus({ weeks: 4 }).toISO() },
      },
      token: 'noisy client',
      outcome: 'data or throttled',
    },
    { name: 'invalid document', body: { query: '{ bookings(first: 100) { nodes { noSuchField } } }' }, token: 'noisy client', outcome: 'refused' },
    // Over the query limits (src/query-limits): refused before any SQL.
    { name: 'nested 12 levels deep', body: { query: `{ agents(first: 100) { nodes { ${nested(3)} } } }` }, token: 'noisy client', outcome: 'refused' },
    { name: 'a page of a million', body: { query: '{ bookings(first: 1000000) { nodes { id } } }' }, token: 'noisy client', outcome: 'refused' },
  ];
}

export function operations(context: BenchContext): Operation[] {
  const { shape } = context;
  const bookingSlots = freeSlots(shape, 4);
  const raceSlots = freeSlots(shape, 2);
  const subscriberSlots = freeSlots(shape, 6);
  const team20 = context.linearityTeams.get(20)!;
  return [
    {
      key: 'a',
      title: 'bookings page of 100 with agents, customer, type',
      servers: ['gateway', 'raw', 'postgraphile'],
      kind: 'load',
      body: bookingsPage,
    },
    {
      key: 'b',
      title: 'agents page of 50 with teams and their members',
      servers: ['gateway', 'raw', 'postgraphile'],
      kind: 'load',
      body: () => ({
        operationName: 'AgentsPage',
        query: `query AgentsPage($first: Int) { agents(first: $first, orderBy: [{ field: NAME }]) { nodes { id name email timeZone teams { id internalName members { priority agent { id name } } } } } }`,
        variables: { first: 50 },
      }),
    },
    {
      key: 'c',
      title: 'one booking by id (node)',
      servers: ['gateway', 'raw', 'postgraphile'],
      kind: 'load',
      body: () => ({
        operationName: 'BookingById',
        query: `query BookingById($id: ID!) { node(id: $id) { ... on Booking { ${BOOKING_SELECTION} } } }`,
        variables: { id: encodeId('Booking', context.bookingId) },
      }),
    },
    {
      key: 'd',
      title: `availability, ${team20.members}-member team, 30 days`,
      servers: ['gateway'],
      kind: 'load',
      body: () => availabilityBody(context, team20.id, 30),
    },
    {
      key: 'e',
      title: 'createBooking on free slots',
      servers: ['gateway'],
      kind: 'load',
      body: () => createBookingBody(context, bookingSlots.take()!),
      nextBody: () => () => {
        const slot = bookingSlots.take();
        if (!slot) throw new Error('ran out of free slots within the booking window');
        return createBookingBody(context, slot);
      },
    },
    {
      key: 'f',
      title: '200 concurrent createBooking, same slot',
      servers: ['gateway'],
      kind: 'race',
      body: () => createBookingBody(context, raceSlots.take()!),
    },
    {
      key: 'g',
      title: 'schedulingReport by month × agent, all accounts',
      servers: ['gateway', 'raw'],
      kind: 'load',
      body: () => ({
        operationName: 'MonthlyAgentReport',
        query: `query MonthlyAgentReport($from: DateTime!, $to: DateTime!, $limit: Int) {
  schedulingReport(input: { subject: BOOKINGS, from: $from, to: $to, groupBy: [MONTH, AGENT], limit: $limit }) {
    period agent { id name } count scheduledMinutes confirmed cancelled noShows averageLeadTimeMinutes
  }
}`,
        variables: {
          from: DateTime.fromISO(shape.firstMonday, { zone: 'utc' }).toISO(),
          to: DateTime.fromISO(shape.firstMonday, { zone: 'utc' }).plus({ weeks: shape.weeks }).toISO(),
          limit: 10_000,
        },
      }),
    },
    {
      key: 'h',
      title: 'noisy neighbour: (a) while another client sends expensive and refused operations',
      servers: ['gateway'],
      kind: 'noisy',
      body: bookingsPage,
    },
    {
      key: 'i',
      title: `calendar feed (.ics) of an agent, ${context.calendarFeedEvents} bookings in its window`,
      servers: ['gateway'],
      kind: 'load',
      get: () => context.calendarFeedPath,
    },
    {
      key: 'j',
      title: 'SSE subscribers of bookingChanged: publish-to-receive, memory per subscriber',
      servers: ['gateway'],
      kind: 'subscribers',
      body: () => createBookingBody(context, subscriberSlots.take()!),
      nextBody: () => () => {
        const slot = subscriberSlots.take();
        if (!slot) throw new Error('ran out of free slots within the booking window');
        return createBookingBody(context, slot);
      },
    },
    {
      key: 'k',
      title: 'webhook deliveries from the outbox to a loopback receiver',
      servers: ['gateway'],
      kind: 'webhooks',
      body: bookingsPage,
    },
  ];
}

/** The PostGraphile documents of `bench/postgraphile/operations.mjs`, by the gateway operation of the same name. */
interface PostgraphileDocument {
  operationName: string;
  query: string;
  variables: (params: { first?: number; bookingId?: string }) => Record<string, unknown>;
}

/**
 * PostGraphile has its own schema, so its server's folder ships its own
 * documents (`operations`, keyed by operation name), each taking plain uuids.
 */
export async function postgraphileBodies(path: string): Promise<Partial<Record<OperationKey, (context: BenchContext) => RequestBody>>> {
  if (!existsSync(path)) return {};
  const module = (await import(path)) as { operations?: Record<string, PostgraphileDocument> };
  const byName = module.operations ?? {};
  const bodies: Partial<Record<OperationKey, (context: BenchContext) => RequestBody>> = {};
  const names: Array<[OperationKey, string, { first?: number }]> = [['a', 'BookingsPage', { first: 100 }], ['b', 'AgentsPage', { first: 50 }], ['c', 'BookingById', {}]];
  for (const [key, name, params] of names) {
    const document = byName[name];
    if (document) bodies[key] = (context) => ({ operationName: document.operationName, query: document.query, variables: document.variables({ ...params, bookingId: context.bookingId }) });
  }
  return bodies;
}

export const linearitySizes = LINEARITY_TEAM_SIZES;
