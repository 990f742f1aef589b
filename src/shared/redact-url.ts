/**
 * Hides the password of a `scheme://user:pass@host` URL. Like the WHATWG URL parser (which mysql2 uses), the
 * user info runs to the last `@` before the path, so a raw `@` in the password or user name is hidden too.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#]*):[^/?#]*@/i, '$1:***@');
}
