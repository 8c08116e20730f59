import { resolveOffsetConnection } from '@pothos/plugin-relay';
import { Prisma } from '../generated/prisma/client.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../query-limits/cost.ts';
import { builder } from './builder.ts';
import { toSqlCondition } from '../query/compile.ts';
import { RESOURCE_FILTERS } from '../query/catalogs.ts';
import { escapeLike } from '../query/like.ts';
import { accountIdsArg, accountsInScope, compileFilter, filterArgs, StringFilter } from './common.ts';
import { ResourceInterface, ResourceKind } from './resource-interface.ts';

const ResourceWhere = builder.inputType('ResourceWhere', {
  fields: (t) => ({
    kinds: t.field({ type: [ResourceKind], required: false }),
    name: t.field({ type: StringFilter, required: false, description: 'An agent’s name or a team’s internal name.' }),
  }),
});

type NameFilter = typeof StringFilter.$inferInput | null | undefined;

function nameCondition(filter: NameFilter): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (filter?.equals != null) conditions.push(Prisma.sql`name = ${filter.equals}`);
  if (filter?.in != null) conditions.push(Prisma.sql`name = ANY(${filter.in}::text[])`);
  if (filter?.contains != null) conditions.push(Prisma.sql`name ILIKE ${`%${escapeLike(filter.contains)}%`}`);
  if (filter?.startsWith != null) conditions.push(Prisma.sql`name ILIKE ${`${escapeLike(filter.startsWith)}%`}`);
  return conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`;
}

builder.queryField('resources', (t) =>
  t.connection(
    {
      type: ResourceInterface,
      nullable: true,
      authScopes: { read: true },
      description: 'Agents and teams together, ordered by name (an agent’s name, a team’s internal name), then kind, then id.',
      args: { ...accountIdsArg, ...filterArgs(RESOURCE_FILTERS), where: t.arg({ type: ResourceWhere, required: false }) },
      resolve: async (_root, args, context) => {
        const accountIds = accountsInScope(context, args.accountIds);
        const kinds = args.where?.kinds ?? ['AGENT', 'TEAM'];
        // One ordered id list across both tables; the rows themselves are then
        // loaded through the account-scoped client, which has the last word.
        const resources = Prisma.sql`
          SELECT 'AGENT' AS kind, id, name FROM agents WHERE account_id = ANY(${accountIds}::uuid[]) AND ${kinds.includes('AGENT')}
          UNION ALL
          SELECT 'TEAM', id, internal_name FROM teams WHERE account_id = ANY(${accountIds}::uuid[]) AND ${kinds.includes('TEAM')}`;
        const tql = args.filter?.trim()
          ? compileFilter(args.filter, RESOURCE_FILTERS, (resolved) => toSqlCondition(resolved, RESOURCE_FILTERS))
          : Prisma.sql`TRUE`;
        const filtered = Prisma.sql`SELECT * FROM (${resources}) AS resources WHERE ${nameCondition(args.where?.name)} AND ${tql}`;
        let totalCount = 0;
        const connection = await resolveOffsetConnection({ args, defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE }, async ({ offset, limit }) => {
          const rows = await context.rootDb.$queryRaw<Array<{ kind: 'AGENT' | 'TEAM'; id: string; total: bigint }>>`
            SELECT kind, id, count(*) OVER () AS total FROM (${filtered}) AS page
            ORDER BY name, kind, id LIMIT ${limit} OFFSET ${offset}`;
          totalCount = rows.length > 0 ? Number(rows[0]!.total) : offset === 0 ? 0 : await countAll();
          const agentIds = rows.filter((row) => row.kind === 'AGENT').map((row) => row.id);
          const teamIds = rows.filter((row) => row.kind === 'TEAM').map((row) => row.id);
          // Both lookups always run, so the statement count does not depend on the page.
          const [agents, teams] = await Promise.all([
            context.db.agent.findMany({ where: { id: { in: agentIds } } }),
            context.db.team.findMany({ where: { id: { in: teamIds } } }),
          ]);
          const byId = new Map<string, (typeof agents)[number] | (typeof teams)[number]>([
            ...agents.map((agent) => [agent.id, agent] as const),
            ...teams.map((team) => [team.id, team] as const),
          ]);
          return rows.map((row) => byId.get(row.id)).filter((resource) => resource !== undefined);
        });
        async function countAll() {
          const [row] = await context.rootDb.$queryRaw<Array<{ total: bigint }>>`SELECT count(*) AS total FROM (${filtered}) AS all_rows`;
          return Number(row?.total ?? 0);
        }
        return { ...connection, totalCount };
      },
    },
    {
      name: 'ResourceConnection',
      fields: (connection) => ({
        totalCount: connection.int({ resolve: (parent) => (parent as unknown as { totalCount: number }).totalCount }),
      }),
    },
    { name: 'ResourceEdge' },
  ),
);
