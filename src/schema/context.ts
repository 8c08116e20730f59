import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { scopeToAccounts } from '../db/scope.ts';
import type { AllAccounts } from '../auth/all-accounts.ts';
import type { UnconfirmedPrincipal } from '../auth/bearer.ts';
import type { RateLimits } from '../rate-limits/limits.ts';
import type { Principal, Scope } from '../auth/principal.ts';
import type { ApiClient } from '../generated/prisma/client.ts';
import type { Realtime } from '../events/realtime.ts';

export interface GatewayServices {
  /** The unscoped client: only for auth and for operations that are not about account data. */
  rootDb: Db;
  config: Config;
  rateLimits: RateLimits;
  /** Told when an account is created, so that all-accounts tokens reach it at once. */
  allAccounts: AllAccounts;
  /** Told when a booking is created or cancelled (the metrics count them). */
  bookingEvents: { bookingCreated(): void; bookingCancelled(): void };
  /** The committed events subscriptions listen to, and their bounds (src/events). */
  realtime: Realtime;
}

export interface Context extends GatewayServices {
  principal: Principal | null;
  /** A client that can only see and change the principal's accounts. */
  db: Db;
  hasScope(scope: Scope): boolean;
  /** Batching loaders, new for every request so nothing is shared between callers. */
  loaders: Loaders;
  /**
   * The API client row the principal was derived from, when it has not been
   * read again for this request: a compiled read checks it in its statement
   * (`clientGuard`), anything else re-checks it (`useClientConfirmation` in src/server.ts).
   */
  unconfirmedClient: ApiClient | undefined;
  /** Reads the client again if needed (call it as a method of the context); false when it was revoked meanwhile. */
  confirmPrincipal(): Promise<boolean>;
  /**
   * Reads the client again, possibly while a query executes: `unchanged`
   * confirms the principal; `changed` adopts the client's current grants, so
   * an answer computed meanwhile is stale and the query must run again on
   * `fresh()`; `revoked`.
   */
  recheckPrincipal(): Promise<'unchanged' | 'changed' | 'revoked'>;
  /** A copy of this context with empty caches (loaders, and Pothos' per-context state), to execute again. */
  fresh(): Context;
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

export function createContext(services: GatewayServices, principal: Principal | null, unconfirmed?: UnconfirmedPrincipal): Context {
  // Yoga copies this object's properties into its own context (getters would be read once, at the copy), so the
  // state that can change lives here, and `db` is a proxy that builds the scoped client on first use.
  const state = { principal, scoped: undefined as Db | undefined };
  const scoped = () => (state.scoped ??= scopeToAccounts(services.rootDb, state.principal?.accountIds ?? []));
  const db = new Proxy({} as Db, {
    get: (_target, property) => {
      const value: unknown = Reflect.get(scoped(), property);
      return typeof value === 'function' ? value.bind(scoped()) : value;
    },
    has: (_target, property) => Reflect.has(scoped(), property),
  });
  return {
    ...services,
    principal,
    db,
    hasScope: (scope) => state.principal?.scopes.includes(scope) ?? false,
    loaders: createLoaders(),
    unconfirmedClient: unconfirmed?.client,
    async confirmPrincipal(this: Context) {
      return (await this.recheckPrincipal()) !== 'revoked';
    },
    async recheckPrincipal(this: Context) {
      if (!unconfirmed || !this.unconfirmedClient) return 'unchanged';
      const confirmed = await unconfirmed.confirm();
      this.unconfirmedClient = undefined;
      if (!confirmed) return 'revoked';
      if (samePrincipal(confirmed, state.principal)) return 'unchanged';
      state.principal = confirmed;
      state.scoped = undefined;
      this.principal = confirmed;
      return 'changed';
    },
    fresh(this: Context) {
      return { ...this, loaders: createLoaders() };
    },
  };
}

function samePrincipal(left: Principal, right: Principal | null): boolean {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, index) => value === b[index]);
  return !!right && left.apiClientId === right.apiClientId && left.allAccounts === right.allAccounts && same(left.scopes, right.scopes) && same(left.accountIds, right.accountIds);
}
