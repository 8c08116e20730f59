// The benchmark's read operations as PostGraphile v5 documents (schema from
// server.mjs + postgraphile.tags.json5). Each selects the same data as the
// gateway operation of the same name (see bench/raw-server.ts): ids, names,
// emails, times, statuses. JSON shapes differ (connections have `nodes`,
// joins go through the membership rows), the work is the same.
// PostGraphile does no tenant scoping, so there is no `accountIds` variable.

const BOOKING_FIELDS = /* GraphQL */ `
  id
  status
  startsAt
  endsAt
  title
  bookingAgents { nodes { agent { id name email } } }
  customer { id name email }
  appointmentType { id internalName durationMinutes }
`;

/** (a) A page of bookings, latest first (starts_at DESC, id ASC), with agents, customer and appointment type. */
export const BookingsPage = {
  operationName: 'BookingsPage',
  query: /* GraphQL */ `
    query BookingsPage($first: Int!) {
      allBookings(first: $first, orderBy: [STARTS_AT_DESC, ROW_ID_ASC]) {
        nodes { ${BOOKING_FIELDS} }
      }
    }`,
  variables: ({ first = 100 } = {}) => ({ first }),
};

/**
 * (b) A page of agents (name, id) with their teams (membership created_at, id)
 * and each team's members (priority NULLS LAST, created_at, id).
 */
export const AgentsPage = {
  operationName: 'AgentsPage',
  query: /* GraphQL */ `
    query AgentsPage($first: Int!) {
      allAgents(first: $first, orderBy: [NAME_ASC, ROW_ID_ASC]) {
        nodes {
          id
          name
          email
          timeZone
          teamMemberships(orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
            nodes {
              team {
                id
                internalName
                teamMemberships(orderBy: [PRIORITY_ASC, CREATED_AT_ASC, ROW_ID_ASC]) {
                  nodes { priority agent { id name } }
                }
              }
            }
          }
        }
      }
    }`,
  variables: ({ first = 50 } = {}) => ({ first }),
};

/** (c) One booking by primary key (the gateway uses `node(id:)`), with the same fields as (a). */
export const BookingById = {
  operationName: 'BookingById',
  query: /* GraphQL */ `
    query BookingById($rowId: UUID!) {
      bookingByRowId(rowId: $rowId) { ${BOOKING_FIELDS} }
    }`,
  /** `bookingId` is the row's uuid (e.g. seededId('booking', n)), not the gateway's global id. */
  variables: ({ bookingId }) => ({ rowId: bookingId }),
};

export const operations = { BookingsPage, AgentsPage, BookingById };

/** The JSON body to POST to /graphql. */
export function requestBody(operation, params) {
  return JSON.stringify({ operationName: operation.operationName, query: operation.query, variables: operation.variables(params) });
}
