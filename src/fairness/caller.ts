import type { Principal } from '../auth/principal.ts';

/** Callers without a token (introspection, `__typename`) share one share between them. */
const ANONYMOUS = 'anonymous';

/** Whose share of slots and connections a request uses: its API client's. */
export function callerKey(principal: Principal | null | undefined): string {
  return principal?.apiClientId ?? ANONYMOUS;
}
