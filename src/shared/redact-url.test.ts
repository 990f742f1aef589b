import { describe, expect, it } from 'vitest';
import { redactUrl, redactWebhookUrl } from './redact-url.ts';

describe('redactUrl', () => {
  it('hides the password of a URL', () => {
    expect(redactUrl('mysql://u:secret@h/db')).toBe('mysql://u:***@h/db');
    expect(redactUrl('mariadb://pickwise:pw@127.0.0.1:3306/pickwise')).toBe('mariadb://pickwise:***@127.0.0.1:3306/pickwise');
  });

  it('hides the whole password when it contains a raw @', () => {
    const redacted = redactUrl('mysql://u:p@ss@h:3306/db');
    expect(redacted).toBe('mysql://u:***@h:3306/db');
    expect(redacted).not.toContain('ss@');
  });

  it('leaves URLs without a password unchanged', () => {
    for (const url of [
      'mysql://u@h:3306/db',
      'mysql://h:3306/db',
      'sqlite:.pickwise/pickwise.db',
      's3://bucket/prefix',
      'file:.pickwise/bucket',
      'mysql://h/db?user=a@b',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});

describe('redactWebhookUrl', () => {
  it('keeps only the scheme and host of a webhook URL, whose secret is in the path', () => {
    expect(redactWebhookUrl('https://hooks.slack.com/services/T0/B0/secret')).toBe('https://hooks.slack.com/***');
    expect(redactWebhookUrl('http://user:pw@127.0.0.1:9000/hook?token=x')).toBe('http://***@127.0.0.1:9000/***');
    expect(redactWebhookUrl('not a url')).toBe('***');
  });
});
