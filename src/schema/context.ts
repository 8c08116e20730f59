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
}

export function createContext(services: GatewayServices, principal: Principal | null): Context {
  let scoped: Db | undefined;
  return {
    ...services,
    principal,
    get db() {
      scoped ??= scopeToAccounts(services.rootDb, principal?.accountIds ?? []);
      return scoped;
    },
    hasScope: (scope) => principal?.scopes.includes(scope) ?? false,
  };
}
