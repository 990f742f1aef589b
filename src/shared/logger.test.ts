import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, stageLogger } from './logger.ts';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[]; raw: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    stream,
    raw: () => text.trim().split('\n'),
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

describe('stageLogger', () => {
  it('names the stage once: a part inside another stage is its component, and naming it again adds nothing', () => {
    const { stream, lines, raw } = capture();
    const root = createLogger({ level: 'info', pretty: false, destination: stream });
    const serve = stageLogger(root, 'serve');
    const alerts = stageLogger(serve, 'alerts');
    stageLogger(alerts, 'alerts').info('a');
    stageLogger(serve, 'serve', { port: 1 }).info('b');
    stageLogger(stageLogger(serve, 'feedback-ship'), 'feedback-ship', { sink: 'elasticsearch' }).info('c');
    expect(lines()).toEqual([
      expect.objectContaining({ stage: 'serve', component: 'alerts', msg: 'a' }),
      expect.objectContaining({ stage: 'serve', port: 1, msg: 'b' }),
      expect.objectContaining({ stage: 'serve', component: 'feedback-ship', sink: 'elasticsearch', msg: 'c' }),
    ]);
    // Each key once on each line as written (a parsed line would hide a repeated key).
    for (const line of raw()) expect(line.match(/"stage"/g)).toHaveLength(1);
  });
});
