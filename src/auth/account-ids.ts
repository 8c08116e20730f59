/**
 * Account ids as people type them where the gateway takes them outside GraphQL (the token endpoint's `accounts`,
 * the CLI's `--accounts`): the UUID, in any case, or the global id GraphQL hands out (`viewer { accounts { id } }`).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACCOUNT_PREFIX = 'Account:';

/** The account's UUID (lower case) for either form, or null for anything else, a global id of another type included. */
export function accountIdOf(typed: string): string | null {
  if (UUID.test(typed)) return typed.toLowerCase();
  // A global id is base64url of `Account:<uuid>`, as src/schema/global-id.ts writes it; padding is tolerated.
  const decoded = Buffer.from(typed, 'base64url').toString('utf8');
  if (!decoded.startsWith(ACCOUNT_PREFIX)) return null;
  const id = decoded.slice(ACCOUNT_PREFIX.length);
  if (!UUID.test(id) || Buffer.from(decoded).toString('base64url') !== typed.replace(/=+$/, '')) return null;
  return id.toLowerCase();
}

/** Typed account ids, each with its UUID or null; repeated accounts (in either form) listed once, as first typed. */
export function readAccountIds(typed: string[]): Array<{ typed: string; id: string | null }> {
  const seen = new Set<string>();
  const read: Array<{ typed: string; id: string | null }> = [];
  for (const value of typed) {
    const id = accountIdOf(value);
    const key = id ?? `typed:${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    read.push({ typed: value, id });
  }
  return read;
}
