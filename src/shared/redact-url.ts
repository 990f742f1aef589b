/**
 * Hides the password of a `scheme://user:pass@host` URL. Like the WHATWG URL parser (which mysql2 uses), the
 * user info runs to the last `@` before the path, so a raw `@` in the password or user name is hidden too.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#]*):[^/?#]*@/i, '$1:***@');
}

/**
 * A webhook URL (Slack's `https://hooks.slack.com/services/T…/B…/secret`) carries its secret in the path: only the
 * scheme and host are kept. Text that is not a URL is hidden whole.
 */
export function redactWebhookUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@]*@?[^/?#@]*)/i.exec(url);
  return match ? `${match[1]!.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@')}/***` : '***';
}
