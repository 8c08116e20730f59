import DataLoader from 'dataloader';
import type { Config } from '../config.ts';
import type { Account, Agent, AppointmentType, Customer, Team } from '../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { scopeToAccounts } from '../db/scope.ts';
import type { Principal, Scope } from '../auth/principal.ts';

export interface GatewayServices {
  /** The unscoped client: only for auth and for operations that are not about account data. */
  rootDb: Db;
  config: Config;
}

export interface Context extends GatewayServices {
  principal: Principal | null;
  /** A client that can only see and change the principal's accounts. */
  db: Db;
  hasScope(scope: Scope): boolean;
  /** Batching loaders, new for every request so nothing is shared between callers. */
  loaders: Loaders;
}

export interface Loaders {
  account: DataLoader<string, Account | null>;
  agent: DataLoader<string, Agent | null>;
  team: DataLoader<string, Team | null>;
  appointmentType: DataLoader<string, AppointmentType | null>;
  customer: DataLoader<string, Customer | null>;
}

/** One query per model for every id asked for in the same tick, through the scoped client. */
function byId<Row extends { id: string }>(find: (ids: string[]) => Promise<Row[]>) {
  return new DataLoader<string, Row | null>(async (ids) => {
    const rows = await find([...ids]);
    const rowsById = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => rowsById.get(id) ?? null);
  });
}

function createLoaders(db: () => Db): Loaders {
  return {
    account: byId((ids) => db().account.findMany({ where: { id: { in: ids } } })),
    agent: byId((ids) => db().agent.findMany({ where: { id: { in: ids } } })),
    team: byId((ids) => db().team.findMany({ where: { id: { in: ids } } })),
    appointmentType: byId((ids) => db().appointmentType.findMany({ where: { id: { in: ids } } })),
    customer: byId((ids) => db().customer.findMany({ where: { id: { in: ids } } })),
  };
}

export function createContext(services: GatewayServices, principal: Principal | null): Context {
  let scoped: Db | undefined;
  const db = () => (scoped ??= scopeToAccounts(services.rootDb, principal?.accountIds ?? []));
  return {
    ...services,
    principal,
    get db() {
      return db();
    },
    hasScope: (scope) => principal?.scopes.includes(scope) ?? false,
    loaders: createLoaders(db),
  };
}
