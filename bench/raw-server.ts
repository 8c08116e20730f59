/**
 * The raw-SQL reference: node `http` + `pg`, one hand-written statement per
 * operation, with PostgreSQL building the whole JSON response. It answers
 * the benchmark's read operations (chosen by `operationName`) with the
 * bytes the gateway sends, so the gap between the two is what the GraphQL
 * layer costs. No parsing, validation or authentication: it is a limit,
 * not a server to copy.
 *
 * Env: DATABASE_URL, PORT. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage } from 'node:http';
import pg from 'pg';

// Dates as the gateway serialises them (Date#toISOString) and relay ids as base64url('Type:uuid').
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const globalId = (typename: string, column: string) => `translate(encode(convert_to('${typename}:' || ${column}, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;
/** A JSON array with no whitespace (json_agg would add some), kept as json so row_to_json embeds it verbatim. */
const jsonArray = (rowJson: string, order: string) => `('[' || coalesce(string_agg(${rowJson}::text, ',' ORDER BY ${order}), '') || ']')::json`;

const BOOKING_FIELDS = (booking: string) => `
  SELECT ${globalId('Booking', `${booking}.id`)} AS "id", ${booking}.status AS "status",
         ${iso(`${booking}.starts_at`)} AS "startsAt", ${iso(`${booking}.ends_at`)} AS "endsAt", ${booking}.title AS "title",
         (SELECT ${jsonArray('row_to_json(agent_json)', 'agent.name, agent.id')}
            FROM booking_agents AS held JOIN agents AS agent ON agent.id = held.agent_id,
                 LATERAL (SELECT ${globalId('Agent', 'agent.id')} AS "id", agent.name AS "name", agent.email AS "email") AS agent_json
           WHERE held.booking_id = ${booking}.id) AS "agents",
         (SELECT row_to_json(customer_json) FROM (
            SELECT ${globalId('Customer', 'customer.id')} AS "id", customer.name AS "name", customer.email AS "email"
              FROM customers AS customer WHERE customer.id = ${booking}.customer_id) AS customer_json) AS "customer",
         (SELECT row_to_json(type_json) FROM (
            SELECT ${globalId('AppointmentType', 'type.id')} AS "id", type.internal_name AS "internalName", type.duration_minutes AS "durationMinutes"
              FROM appointment_types AS type WHERE type.id = ${booking}.appointment_type_id) AS type_json) AS "appointmentType"`;

const STATEMENTS = {
  BookingsPage: `
    WITH page AS (
      SELECT * FROM bookings WHERE account_id = ANY($1::uuid[]) ORDER BY starts_at DESC, id ASC LIMIT $2
    )
    SELECT '{"data":{"bookings":{"nodes":[' || coalesce(string_agg(node::text, ',' ORDER BY page.starts_at DESC, page.id ASC), '') || ']}}}' AS body
    FROM page CROSS JOIN LATERAL (SELECT row_to_json(fields) AS node FROM (${BOOKING_FIELDS('page')}) AS fields) AS json`,
  AgentsPage: `
    WITH page AS (
      SELECT * FROM agents WHERE account_id = ANY($1::uuid[]) ORDER BY name ASC, id ASC LIMIT $2
    )
    SELECT '{"data":{"agents":{"nodes":[' || coalesce(string_agg(node::text, ',' ORDER BY page.name ASC, page.id ASC), '') || ']}}}' AS body
    FROM page CROSS JOIN LATERAL (SELECT row_to_json(fields) AS node FROM (
      SELECT ${globalId('Agent', 'page.id')} AS "id", page.name AS "name", page.email AS "email", page.time_zone AS "timeZone",
        (SELECT ${jsonArray('row_to_json(team_json)', 'membership.created_at, membership.id')}
           FROM team_memberships AS membership JOIN teams AS team ON team.id = membership.team_id,
           LATERAL (SELECT ${globalId('Team', 'team.id')} AS "id", team.internal_name AS "internalName",
             (SELECT ${jsonArray('row_to_json(member_json)', 'member.priority ASC NULLS LAST, member.created_at, member.id')}
                FROM team_memberships AS member JOIN agents AS colleague ON colleague.id = member.agent_id,
                LATERAL (SELECT member.priority AS "priority",
                  (SELECT row_to_json(colleague_json) FROM (SELECT ${globalId('Agent', 'colleague.id')} AS "id", colleague.name AS "name") AS colleague_json) AS "agent"
                ) AS member_json
               WHERE member.team_id = team.id) AS "members"
           ) AS team_json
          WHERE membership.agent_id = page.id) AS "teams"
    ) AS fields) AS json`,
  BookingById: `
    SELECT '{"data":{"node":' || coalesce((SELECT row_to_json(fields)::text FROM bookings AS booking,
      LATERAL (${BOOKING_FIELDS('booking')}) AS fields
      WHERE booking.id = $2 AND booking.account_id = ANY($1::uuid[])), 'null') || '}}' AS body`,
  // The gateway's technique: booking_day_totals for the UTC days that lie whole in the range (UTC months start at
  // midnight, so only `from` and `to` can cut a day in two), the bookings themselves for a day they cut, and
  // months found by width_bucket.
  MonthlyAgentReport: `
    WITH month AS (
      SELECT array_agg(starts_at ORDER BY starts_at) AS starts FROM (
        SELECT generate_series(date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC'), $3::timestamptz AT TIME ZONE 'UTC', interval '1 month') AT TIME ZONE 'UTC' AS starts_at
      ) AS month_start WHERE starts_at < $3
    ), share AS (
      SELECT totals.day AS starts_at, totals.agent_id, totals.bookings, totals.scheduled, totals.confirmed, totals.cancelled, totals.no_shows, totals.lead_time
        FROM booking_day_totals AS totals
       WHERE totals.account_id = ANY($1::uuid[]) AND totals.agent_id IS NOT NULL AND totals.day >= $2 AND totals.day <= $3::timestamptz - interval '24 hours'
      UNION ALL
      SELECT booking.starts_at, held.agent_id, 1,
             CASE WHEN booking.status IN ('TENTATIVE', 'CONFIRMED', 'COMPLETED', 'NO_SHOW') THEN booking.ends_at - booking.starts_at ELSE interval '0' END,
             (booking.status IN ('CONFIRMED', 'COMPLETED'))::int, (booking.status = 'CANCELLED')::int, (booking.status = 'NO_SHOW')::int,
             booking.starts_at - booking.created_at
        FROM bookings AS booking JOIN booking_agents AS held ON held.booking_id = booking.id
       WHERE booking.account_id = ANY($1::uuid[]) AND booking.starts_at >= $2 AND booking.starts_at < $3 AND booking.status <> 'RESCHEDULED'
         AND (booking.starts_at < date_trunc('day', $2::timestamptz - interval '1 millisecond', 'UTC') + interval '24 hours'
              OR booking.starts_at >= date_trunc('day', $3::timestamptz, 'UTC'))
    ), report AS (
      SELECT month.starts[width_bucket(share.starts_at, month.starts)] AS period, share.agent_id, sum(share.bookings) AS count,
             extract(epoch FROM sum(share.scheduled)) / 60 AS scheduled_minutes, sum(share.confirmed) AS confirmed,
             sum(share.cancelled) AS cancelled, sum(share.no_shows) AS no_shows,
             extract(epoch FROM sum(share.lead_time)) / 60 / sum(share.bookings) AS lead_time
        FROM share CROSS JOIN month
       GROUP BY 1, 2
      HAVING sum(share.bookings) > 0
    ), ordered AS (
      SELECT report.*, agent.name AS agent_name FROM report JOIN agents AS agent ON agent.id = report.agent_id
       ORDER BY report.period ASC NULLS LAST, agent.name ASC NULLS LAST, report.agent_id ASC NULLS LAST LIMIT $4
    )
    SELECT '{"data":{"schedulingReport":[' || coalesce(string_agg(row_json::text, ',' ORDER BY ordered.period, ordered.agent_name, ordered.agent_id), '') || ']}}' AS body
    FROM ordered CROSS JOIN LATERAL (SELECT row_to_json(fields) AS row_json FROM (
      SELECT ${iso('ordered.period')} AS "period",
             (SELECT row_to_json(agent_json) FROM (SELECT ${globalId('Agent', 'ordered.agent_id')} AS "id", ordered.agent_name AS "name") AS agent_json) AS "agent",
             ordered.count AS "count", round(ordered.scheduled_minutes)::int AS "scheduledMinutes", ordered.confirmed AS "confirmed",
             ordered.cancelled AS "cancelled", ordered.no_shows AS "noShows", round(ordered.lead_time, 1)::float8 AS "averageLeadTimeMinutes"
    ) AS fields) AS json`,
} as const;

type OperationName = keyof typeof STATEMENTS;
type Variables = Record<string, unknown>;

function decodeGlobalId(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

/** The statement's parameters from the GraphQL variables the benchmark sends. */
function parametersOf(operation: OperationName, accountIds: string[], variables: Variables): unknown[] {
  switch (operation) {
    case 'BookingsPage':
    case 'AgentsPage':
      return [accountIds, variables.first];
    case 'BookingById':
      return [accountIds, decodeGlobalId(String(variables.id))];
    case 'MonthlyAgentReport':
      return [accountIds, variables.from, variables.to, variables.limit];
  }
}

/**
 * Prepared once per connection where the gateway prepares too: reads by key
 * (src/compiled-reads/compile.ts, `prepare`). Prepared, a list or the report
 * would soon get a generic plan that ignores its accounts or dates (the
 * report, measured: 1.3 instead of 11.9 req/s).
 */
const PREPARED = new Set<OperationName>(['BookingById']);

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const port = Number(process.env.PORT ?? 4100);
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  // Like a token granting every account: the statements stay scoped as the gateway's are.
  const accountIds = (await pool.query<{ id: string }>('SELECT id FROM accounts')).rows.map((row) => row.id);
  const server = createServer(async (request, response) => {
    try {
      if (request.method !== 'POST' || request.url !== '/graphql') {
        response.writeHead(404).end();
        return;
      }
      const { operationName, variables } = JSON.parse(await readBody(request)) as { operationName?: string; variables?: Variables };
      if (!operationName || !(operationName in STATEMENTS)) {
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: `unknown operation ${operationName}` }] }));
        return;
      }
      const operation = operationName as OperationName;
      const { rows } = await pool.query<{ body: string }>({ name: PREPARED.has(operation) ? operation : undefined, text: STATEMENTS[operation], values: parametersOf(operation, accountIds, variables ?? {}) });
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(rows[0]!.body);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
    }
  });
  server.keepAliveTimeout = 30_000;
  server.listen(port, '127.0.0.1', () => console.log(`raw SQL server listening on http://127.0.0.1:${port}/graphql`));
  const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`raw server failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
