/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** How a booking with the team picks its agents. */
export type TeamSchedulingMode =
  /** Any free member can take a slot; every free member is listed. */
  | 'ANY'
  /** A slot exists only when every member is free; all attend. */
  | 'COLLECTIVE'
  /** One free member is assigned, spreading bookings evenly. */
  | 'ROUND_ROBIN';

export type DemoTeamQueryVariables = Exact<{ [key: string]: never; }>;


export type DemoTeamQuery = { appointmentTypes: { nodes: Array<{ id: string, externalName: string, durationMinutes: number }> } | null, teams: { nodes: Array<{ id: string, externalName: string, schedulingMode: TeamSchedulingMode }> } | null };

export type NextSlotsQueryVariables = Exact<{
  appointmentTypeId: string | number;
  resourceId: string | number;
  timeZone?: string | null | undefined;
}>;


export type NextSlotsQuery = { availability: Array<{ startsAt: string, endsAt: string, agents: Array<{ name: string }> }> | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const DemoTeamDocument = new TypedDocumentString(`
    query DemoTeam {
  appointmentTypes(first: 1, where: {internalName: {equals: "onboarding-45"}}) {
    nodes {
      id
      externalName
      durationMinutes
    }
  }
  teams(first: 1, where: {internalName: {equals: "Tier 2"}}) {
    nodes {
      id
      externalName
      schedulingMode
    }
  }
}
    `) as unknown as TypedDocumentString<DemoTeamQuery, DemoTeamQueryVariables>;
export const NextSlotsDocument = new TypedDocumentString(`
    query NextSlots($appointmentTypeId: ID!, $resourceId: ID!, $timeZone: TimeZone) {
  availability(
    input: {appointmentTypeId: $appointmentTypeId, resourceId: $resourceId, timeZone: $timeZone}
  ) {
    startsAt
    endsAt
    agents {
      name
    }
  }
}
    `) as unknown as TypedDocumentString<NextSlotsQuery, NextSlotsQueryVariables>;