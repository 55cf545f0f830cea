import { errorResponse, redirectResponse, type ApiResponse } from './responses';

// SHKeeper's decorators (shkeeper/auth.py). Auth failures are HTTP 200 with an error body, except
// an admin route with no credentials at all, which redirects to the login page.

export type AdminCredentials = Readonly<{ user: string; password: string }>;

export type AuthHeaders = Readonly<{ apiKey: string | null; authorization: string | null }>;

/** `@api_key_required`: any wallet's key will do, and all wallets share one. */
export function checkApiKey(headers: AuthHeaders, apiKey: string): ApiResponse | null {
  if (headers.apiKey === null) return errorResponse('No API key');
  return headers.apiKey === apiKey ? null : errorResponse('Bad API key');
}

/** `@basic_auth_optional` then `@login_required`: HTTP Basic with the admin's username and password. */
export function checkAdmin(headers: AuthHeaders, admin: AdminCredentials): ApiResponse | null {
  const credentials = parseAuthorization(headers.authorization);
  if (credentials) {
    return credentials.username === admin.user && credentials.password === admin.password
      ? null
      : errorResponse('Bad HTTP Basic Auth credentials');
  }
  if (headers.apiKey !== null) return errorResponse("This endpoint doesn't accept X-Shkeeper-Api-Key auth");
  return redirectResponse('/login');
}

/**
 * Werkzeug's `request.authorization`. Basic whose payload is not base64 of UTF-8 counts as no
 * header at all (so README's `Basic <api key>` gets the redirect); any other scheme parses, with no
 * username, and so fails the credential check.
 */
function parseAuthorization(
  header: string | null,
): { username: string | null; password: string | null } | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme !== 'basic') return { username: null, password: null };
  // Python's b64decode drops characters outside the alphabet, then insists on whole quanta.
  const cleaned = rest.replace(/[^A-Za-z0-9+/=]/g, '');
  if (cleaned.replace(/=+$/, '').length % 4 === 1 || cleaned.length % 4 !== 0) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(cleaned, 'base64'));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  return colon < 0
    ? { username: decoded, password: '' }
    : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
