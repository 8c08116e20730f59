import type { Db } from './client.ts';

/** Models whose rows belong to an account through `accountId`; `Account` itself is scoped by `id`. */
const ACCOUNT_OWNED_MODELS = new Set<string>([
  'Agent',
  'Team',
  'TeamMembership',
  'AppointmentType',
  'Workday',
  'WorkingHours',
  'WorkdayOverride',
  'Holiday',
  'Customer',
  'Reservation',
  'Booking',
  'BookingAgent',
  'BookingEvent',
  'TimeBlock',
  'SchedulingRequest',
  'CalendarFeed',
  'OutboxEvent',
  'WebhookEndpoint',
  'WebhookDelivery',
  'WebhookAttempt',
]);

const FILTERED_OPERATIONS = new Set<string>([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'count',
  'aggregate',
  'groupBy',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'delete',
  'deleteMany',
  'upsert',
]);

export class OutOfScopeWriteError extends Error {
  override name = 'OutOfScopeWriteError';
}

type Row = Record<string, unknown>;

function scopeColumn(model: string): string | undefined {
  if (model === 'Account') return 'id';
  return ACCOUNT_OWNED_MODELS.has(model) ? 'accountId' : undefined;
}

/**
 * The same narrowing for a hand-written SQL read (the read compiler): the
 * rows of `model` aliased `alias` whose account is in `accountIdsSql`, a
 * `uuid[]` parameter holding the principal's accounts.
 */
export function accountScopeCondition(model: string, alias: string, accountIdsSql: string): string {
  const column = scopeColumn(model);
  if (!column) throw new Error(`${model} is not scoped to accounts`);
  return `${alias}.${column === 'id' ? 'id' : 'account_id'} = ANY(${accountIdsSql})`;
}

function assertCreatable(data: unknown, column: string, accountIds: ReadonlySet<string>) {
  for (const row of Array.isArray(data) ? data : [data]) {
    const accountId = (row as Row | undefined)?.[column];
    if (typeof accountId !== 'string' || !accountIds.has(accountId)) {
      throw new OutOfScopeWriteError('Refusing to create a row outside the caller’s accounts');
    }
  }
}

/**
 * The one place where tenant isolation is enforced: a Prisma client whose
 * every top-level read, update and delete is narrowed to `accountIds`, and
 * whose creates must name one of them. Relations reached from a scoped row
 * stay in its account because every reference is a composite foreign key on
 * (account_id, id). A row-level-security layer would hook in here too.
 */
export function scopeToAccounts(db: Db, accountIds: readonly string[]): Db {
  const allowed = new Set(accountIds);
  const ids = [...allowed];
  const extended = db.$extends({
    name: 'account-scope',
    query: {
      $allModels: {
        $allOperations({ model, operation: rawOperation, args, query }) {
          const operation: string = rawOperation;
          const column = scopeColumn(model);
          if (!column) return query(args);
          const scopedArgs = { ...(args as Row) };
          if (FILTERED_OPERATIONS.has(operation)) {
            const where = (scopedArgs.where ?? {}) as Row;
            const and = where.AND === undefined ? [] : Array.isArray(where.AND) ? where.AND : [where.AND];
            scopedArgs.where = { ...where, AND: [...and, { [column]: { in: ids } }] };
          }
          if (operation === 'create' || operation === 'createMany' || operation === 'createManyAndReturn') {
            assertCreatable(scopedArgs.data, column, allowed);
          }
          if (operation === 'upsert') {
            assertCreatable(scopedArgs.create, column, allowed);
          }
          return query(scopedArgs as typeof args);
        },
      },
    },
  });
  return extended as unknown as Db;
}

