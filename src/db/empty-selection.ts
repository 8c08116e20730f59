import type { Db } from './client.ts';

/**
 * Pothos plans a field's Prisma query from what the client selected beneath
 * it. When nothing of the row was asked for (a mutation result selected only
 * for `__typename`, or only for a fragment on one of its error types) it hands
 * over `select: {}`, which Prisma refuses ("must not be empty") — after the
 * mutation has committed. Here an empty `select` means what it says, that any
 * shape will do, so it reads the row's own columns instead.
 */
export function withEmptySelectionAllowed(db: Db): Db {
  const extended = db.$extends({
    name: 'empty-selection',
    query: {
      $allModels: {
        $allOperations({ args, query }) {
          const select = (args as { select?: object } | undefined)?.select;
          if (!select || Object.keys(select).length > 0) return query(args);
          const { select: _empty, ...rest } = args as { select?: object };
          return query(rest as typeof args);
        },
      },
    },
  });
  return extended as unknown as Db;
}
