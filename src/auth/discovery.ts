import { SCOPES } from './principal.ts';

export const TOKEN_PATH = '/oauth/token';
export const JWKS_PATH = '/.well-known/jwks.json';
export const METADATA_PATH = '/.well-known/oauth-authorization-server';

/** RFC 8414 authorization server metadata. URLs derive from the issuer, which is the public address of the gateway. */
export function authorizationServerMetadata(issuer: string) {
  const base = issuer.replace(/\/+$/, '');
  return {
    issuer,
    token_endpoint: `${base}${TOKEN_PATH}`,
    jwks_uri: `${base}${JWKS_PATH}`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...SCOPES],
    // No authorization endpoint: client credentials is the only grant.
    response_types_supported: [],
  };
}
