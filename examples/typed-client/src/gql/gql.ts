/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query DemoTeam {\n    appointmentTypes(first: 1, where: { internalName: { equals: \"onboarding-45\" } }) { nodes { id externalName durationMinutes } }\n    teams(first: 1, where: { internalName: { equals: \"Tier 2\" } }) { nodes { id externalName schedulingMode } }\n  }\n": typeof types.DemoTeamDocument,
    "\n  query NextSlots($appointmentTypeId: ID!, $resourceId: ID!, $timeZone: TimeZone) {\n    availability(input: { appointmentTypeId: $appointmentTypeId, resourceId: $resourceId, timeZone: $timeZone }) {\n      startsAt\n      endsAt\n      agents { name }\n    }\n  }\n": typeof types.NextSlotsDocument,
};
const documents: Documents = {
    "\n  query DemoTeam {\n    appointmentTypes(first: 1, where: { internalName: { equals: \"onboarding-45\" } }) { nodes { id externalName durationMinutes } }\n    teams(first: 1, where: { internalName: { equals: \"Tier 2\" } }) { nodes { id externalName schedulingMode } }\n  }\n": types.DemoTeamDocument,
    "\n  query NextSlots($appointmentTypeId: ID!, $resourceId: ID!, $timeZone: TimeZone) {\n    availability(input: { appointmentTypeId: $appointmentTypeId, resourceId: $resourceId, timeZone: $timeZone }) {\n      startsAt\n      endsAt\n      agents { name }\n    }\n  }\n": types.NextSlotsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DemoTeam {\n    appointmentTypes(first: 1, where: { internalName: { equals: \"onboarding-45\" } }) { nodes { id externalName durationMinutes } }\n    teams(first: 1, where: { internalName: { equals: \"Tier 2\" } }) { nodes { id externalName schedulingMode } }\n  }\n"): typeof import('./graphql').DemoTeamDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NextSlots($appointmentTypeId: ID!, $resourceId: ID!, $timeZone: TimeZone) {\n    availability(input: { appointmentTypeId: $appointmentTypeId, resourceId: $resourceId, timeZone: $timeZone }) {\n      startsAt\n      endsAt\n      agents { name }\n    }\n  }\n"): typeof import('./graphql').NextSlotsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
