export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** 405 with an OAuth-shaped body, so clients parsing §5.2 errors get something they understand. */
export function methodNotAllowed(allowed: string): Response {
  return jsonResponse(405, { error: 'invalid_request', error_description: `Use ${allowed}` }, { allow: allowed });
}
