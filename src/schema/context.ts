import DataLoader from 'dataloader';
import type { Config } from '../config.ts';
import type { Agent } from '../generated/prisma/client.ts';
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
  agent: DataLoader<string, Agent | null>;
}

function createLoaders(db: () => Db): Loaders {
  return {
    agent: new DataLoader(async (ids) => {
      const rows = await db().agent.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
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
