import { builder } from './builder.ts';

export const ResourceKind = builder.enumType('ResourceKind', {
  description: 'What a resource is: one agent, or a team of agents.',
  values: ['AGENT', 'TEAM'] as const,
});

interface ResourceShape {
  id: string;
  accountId: string;
  /** Agents have an email, teams do not. */
  email?: string;
  name?: string;
  internalName?: string;
}

/**
 * TimeZest's resource: "an agent or a team who can have an appointment
 * scheduled for them". Every booking and availability input takes a
 * resource id, which may name either.
 */
export const ResourceInterface = builder.interfaceRef<ResourceShape>('Resource').implement({
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: (resource) => ('email' in resource && resource.email !== undefined ? 'Agent' : 'Team'),
  fields: (t) => ({
    kind: t.field({ type: ResourceKind, resolve: (resource) => ('email' in resource && resource.email !== undefined ? 'AGENT' : 'TEAM') }),
    displayName: t.string({
      description: 'The agent’s name, or the team’s internal name.',
      resolve: (resource) => resource.name ?? resource.internalName ?? '',
    }),
  }),
});
