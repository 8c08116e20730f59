import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Config } from '../config.ts';
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
  /**
   * A batching loader for one field of a list: every parent's `load(id)` in
   * the same tick becomes one `find(ids)`. Parents of a list share the field's
   * selection, so `find` may load exactly what the client asked for.
   */
  forField<Row extends { id: string }>(info: GraphQLResolveInfo, find: (ids: string[]) => Promise<Row[]>): DataLoader<string, Row | null>;
}

function createLoaders(): Loaders {
  const loaders = new Map<string, DataLoader<string, unknown>>();
  return {
    forField<Row extends { id: string }>(info: GraphQLResolveInfo, find: (ids: string[]) => Promise<Row[]>) {
      // The alias tells apart two selections of one field; list indices do not matter.
      const key = `${info.parentType.name}.${info.fieldName}:${info.path.key}`;
      let loader = loaders.get(key) as DataLoader<string, Row | null> | undefined;
      if (!loader) {
        loader = new DataLoader<string, Row | null>(async (ids) => {
          const rows = await find([...ids]);
          const rowsById = new Map(rows.map((row) => [row.id, row]));
          return ids.map((id) => rowsById.get(id) ?? null);
        });
        loaders.set(key, loader as DataLoader<string, unknown>);
      }
      return loader;
    },
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
    loaders: createLoaders(),
  };
}
