import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    stream,
    lines: () =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('never writes secrets: passwords, keys, API keys and key headers, URLs, at the top level or nested', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'info', pretty: false, destination: stream });
    logger.info(
      {
        password: 'p1',
        apiKeys: ['k1', 'k2'],
        url: 'mysql://u:p2@h/db',
        req: { headers: { 'x-api-key': 'k3', host: 'h' } },
        storage: { secretAccessKey: 's1' },
      },
      'start',
    );
    const [line] = lines();
    const text = JSON.stringify(line);
    for (const secret of ['p1', 'k1', 'k2', 'p2', 'k3', 's1']) expect(text).not.toContain(`"${secret}`);
    expect(line).toMatchObject({
      msg: 'start',
      password: '***',
      apiKeys: '***',
      req: { headers: { 'x-api-key': '***', host: 'h' } },
      storage: { secretAccessKey: '***' },
    });
  });
});
