/**
 * Gets a token with the client-credentials grant, then asks the gateway for the demo team "Tier 2" and its next
 * free onboarding slots, each operation typed by graphql-codegen from the gateway's schema.graphql.
 *
 *   GATEWAY_URL=http://localhost:4000 CLIENT_ID=… CLIENT_SECRET=… npm start
 */
import { graphql } from './gql/gql.ts';
import type { TypedDocumentString } from './gql/graphql.ts';

const gatewayUrl = process.env.GATEWAY_URL ?? 'http://localhost:4000';
const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET;
if (!clientId || !clientSecret) {
  console.error('Set CLIENT_ID and CLIENT_SECRET (npm start in the gateway prints the demo client’s).');
  process.exit(2);
}

const DemoTeam = graphql(`
  query DemoTeam {
    appointmentTypes(first: 1, where: { internalName: { equals: "onboarding-45" } }) { nodes { id externalName durationMinutes } }
    teams(first: 1, where: { internalName: { equals: "Tier 2" } }) { nodes { id externalName schedulingMode } }
  }
`);

const NextSlots = graphql(`
  query NextSlots($appointmentTypeId: ID!, $resourceId: ID!, $timeZone: TimeZone) {
    availability(input: { appointmentTypeId: $appointmentTypeId, resourceId: $resourceId, timeZone: $timeZone }) {
      startsAt
      endsAt
      agents { name }
    }
  }
`);

async function token(): Promise<string> {
  const response = await fetch(`${gatewayUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId!)}:${encodeURIComponent(clientSecret!)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!response.ok || !body.access_token) throw new Error(`The token request failed: ${body.error_description ?? response.status}`);
  return body.access_token;
}

/** Posts a typed operation; its result and variables have the types codegen derived from the document. */
async function execute<Result, Variables>(accessToken: string, document: TypedDocumentString<Result, Variables>, variables: Variables): Promise<Result> {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data) throw new Error(body.errors?.map((error) => error.message).join('; ') ?? `HTTP ${response.status}`);
  return body.data;
}

const accessToken = await token();
const { appointmentTypes, teams } = await execute(accessToken, DemoTeam, {});
const type = appointmentTypes?.nodes[0];
const team = teams?.nodes[0];
if (!type || !team) throw new Error('No "onboarding-45" type or "Tier 2" team: is this the demo data?');

const { availability } = await execute(accessToken, NextSlots, { appointmentTypeId: type.id, resourceId: team.id, timeZone: 'America/New_York' });
console.log(`${type.externalName} (${type.durationMinutes} min) with ${team.externalName} (${team.schedulingMode}):`);
for (const slot of (availability ?? []).slice(0, 5)) {
  // startsAt is a string (DateTime is mapped to string), in the offset of the requested time zone.
  console.log(`  ${slot.startsAt} – ${slot.endsAt.slice(11, 16)}  ${slot.agents.map((agent) => agent.name).join(', ')}`);
}
