export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Who is calling: the API client behind a verified access token, and what it may touch. */
export interface Principal {
  /** Primary key of the api_clients row. */
  apiClientId: string;
  /** The OAuth2 client_id (the token's `sub`). */
  clientId: string;
  scopes: Scope[];
  /** The accounts this token may read and change. */
  accountIds: string[];
  /** The client may access every account, including ones created after this token was issued. */
  allAccounts: boolean;
}
