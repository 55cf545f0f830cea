import { flaskJson, type Json } from './json';

// What Flask and Werkzeug put on the wire: JSON from view functions, HTML for routing errors,
// redirects and unhandled exceptions.

export type ApiResponse = Readonly<{
  status: number;
  contentType: string;
  body: string;
  headers?: Readonly<Record<string, string>>;
}>;

export function jsonResponse(status: number, value: Json): ApiResponse {
  return { status, contentType: 'application/json', body: flaskJson(value) };
}

/** SHKeeper's auth and validation failures: HTTP 200 (unless told) with `status: "error"`. */
export function errorResponse(message: string, status = 200): ApiResponse {
  return jsonResponse(status, { status: 'error', message });
}

export function redirectResponse(location: string): ApiResponse {
  return {
    status: 302,
    contentType: 'text/html; charset=utf-8',
    headers: { location },
    body:
      '<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n' +
      `<p>You should be redirected automatically to the target URL: <a href="${location}">${location}</a>. If not, click the link.\n`,
  };
}

const ERROR_PAGES: Readonly<Record<number, readonly [string, string]>> = {
  404: [
    'Not Found',
    'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  ],
  405: ['Method Not Allowed', 'The method is not allowed for the requested URL.'],
  500: [
    'Internal Server Error',
    'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
  ],
};

export function errorPage(status: 404 | 405 | 500, headers?: Readonly<Record<string, string>>): ApiResponse {
  const [title, text] = ERROR_PAGES[status] ?? ['Error', ''];
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    body: `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${text}</p>\n`,
    ...(headers ? { headers } : {}),
  };
}

/** Where an unauthenticated payout call is redirected to; a client that follows it gets this page. */
export function loginPage(): ApiResponse {
  return {
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body:
      '<!doctype html>\n<html lang=en>\n<title>SHKeeper - Log In</title>\n' +
      '<form method="post"><input name="name"><input type="password" name="password"><button>Log In</button></form>\n',
  };
}
