import type { Db } from '../db/client.ts';

/**
 * How long another gateway instance's new account may stay unseen by an
 * all-accounts token here; one served by this instance is seen at once
 * (`changed`).
 */
const MAX_AGE_MS = 1_000;

/**
 * The ids of every account, which an all-accounts token stands for: its
 * token says "all" rather than listing them, so they are looked up when the
 * token is used. Read again at most once every MAX_AGE_MS, and at once after
 * this process created an account.
 */
export interface AllAccounts {
  ids(): Promise<string[]>;
  /** An account was created or deleted here: the next `ids()` reads them again. */
  changed(): void;
}

export function createAllAccounts(db: Db): AllAccounts {
  let cached: { ids: string[]; readAt: number } | undefined;
  let loading: Promise<string[]> | undefined;
  // A read that began before `changed()` may end after it: its answer must not be cached as current.
  let generation = 0;
  const load = async () => {
    const started = generation;
    const readAt = Date.now();
    const rows = await db.account.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } });
    const ids = rows.map((row) => row.id);
    if (started === generation) cached = { ids, readAt };
    return ids;
  };
  return {
    async ids() {
      if (cached && Date.now() - cached.readAt < MAX_AGE_MS) return cached.ids;
      loading ??= load().finally(() => (loading = undefined));
      return loading;
    },
    changed() {
      generation += 1;
      cached = undefined;
      loading = undefined;
    },
  };
}
